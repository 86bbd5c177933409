# Ways to climb n stairs with steps of 1, 2 or 3 (mod 1e9+7), keeping the last three values.
MOD = 1000000007
n = int(input())
a, b, c = 0, 0, 1  # ways(-2), ways(-1), ways(0)
for _ in range(n):
    a, b, c = b, c, (a + b + c) % MOD
print(c)
