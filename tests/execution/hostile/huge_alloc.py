# Asks for 64 GiB at once; the address-space limit must refuse it.
block = bytearray(64 << 30)
print(len(block))
