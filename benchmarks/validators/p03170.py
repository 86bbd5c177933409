"""AtCoder p03170 (stones game): N K, then a_1 < ... < a_N; 1 <= N <= 100, 1 <= K <= 10^5, 1 <= a_1,
a_N <= K."""

import itertools
import sys

tokens = [int(t) for t in sys.stdin.read().split()]
n, k, a = tokens[0], tokens[1], tokens[2:]
assert 1 <= n <= 100 and 1 <= k <= 10**5 and len(a) == n
assert a[0] >= 1 and a[-1] <= k and all(x < y for x, y in itertools.pairwise(a))
