# Answer q range-sum queries by summing each range in a loop.
import sys

data = sys.stdin.read().split()
n, q = int(data[0]), int(data[1])
a = [int(x) for x in data[2 : 2 + n]]
out = []
pos = 2 + n
for _ in range(q):
    l, r = int(data[pos]), int(data[pos + 1])
    pos += 2
    s = 0
    for i in range(l - 1, r):
        s += a[i]
    out.append(s)
print("\n".join(map(str, out)))
