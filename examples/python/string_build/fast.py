# Build the string of n letters with one join, then print length and checksum.
n = int(input())
s = "".join(chr(97 + (i * 7) % 26) for i in range(n))
h = 0
for ch in s.encode():
    h = (h * 131 + ch) & 0xFFFFFFFFFFFFFFFF
print(len(s), h)
