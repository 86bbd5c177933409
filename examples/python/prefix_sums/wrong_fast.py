# Prefix sums in floats: exact for small values, loses units once sums pass 2^53.
import sys
from itertools import accumulate

data = sys.stdin.read().split()
n, q = int(data[0]), int(data[1])
prefix = [0.0, *accumulate(float(x) for x in data[2 : 2 + n])]
queries = iter(map(int, data[2 + n : 2 + n + 2 * q]))
print("\n".join(str(int(prefix[r] - prefix[l - 1])) for l, r in zip(queries, queries)))
