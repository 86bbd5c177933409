"""AtCoder p02690 (A^5 - B^5 = X): 1 <= X <= 10^9, and a pair (A, B) exists. A pair has |A|, |B| <= 200:
for A > B, A^5 - B^5 >= A^5 - (A - 1)^5 > 10^9 once |A| or |B| is above ~130."""

import sys

tokens = sys.stdin.read().split()
assert len(tokens) == 1
x = int(tokens[0])
assert 1 <= x <= 10**9
fifths = {b**5: b for b in range(-200, 201)}
assert any(a**5 - x in fifths for a in range(-200, 201))
