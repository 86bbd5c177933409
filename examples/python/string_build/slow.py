# Build the string of n letters by prepending (a copy every step), then print length and checksum.
n = int(input())
s = ""
for i in range(n - 1, -1, -1):
    s = chr(97 + (i * 7) % 26) + s
h = 0
for ch in s:
    h = (h * 131 + ord(ch)) % (1 << 64)
print(len(s), h)
