# Largest sum of a non-empty contiguous subarray with Kadane's algorithm.
input()
best = here = None
for x in map(int, input().split()):
    here = x if here is None or here < 0 else here + x
    best = here if best is None or here > best else best
print(best)
