# Count pairs i < j with a[i] + a[j] == k with a counter of values seen so far.
from collections import Counter

n, k = map(int, input().split())
seen = Counter()
pairs = 0
for x in map(int, input().split()):
    pairs += seen[k - x]
    seen[x] += 1
print(pairs)
