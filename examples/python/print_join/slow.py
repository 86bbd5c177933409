# Print the squares of 1..n modulo 1e9+7, one print call per line.
n = int(input())
for i in range(1, n + 1):
    print(i * i % 1000000007, flush=True)
