# Print the squares of 1..n modulo 1e9+7 in one write.
import sys

n = int(input())
sys.stdout.write("\n".join(str(i * i % 1000000007) for i in range(1, n + 1)) + "\n")
