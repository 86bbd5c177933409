# Ways to climb n stairs with steps of 1, 2 or 3 (mod 1e9+7), by plain recursion.
MOD = 1000000007


def ways(n):
    if n < 0:
        return 0
    if n == 0:
        return 1
    return (ways(n - 1) + ways(n - 2) + ways(n - 3)) % MOD


print(ways(int(input())))
