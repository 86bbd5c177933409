# Sum of the primes up to n with a sieve of Eratosthenes on a bytearray.
n = int(input())
composite = bytearray(n + 1)
total = 0
for i in range(2, n + 1):
    if not composite[i]:
        total += i
        composite[i * i :: i] = b"\x01" * len(range(i * i, n + 1, i))
print(total)
