# Sum of the primes up to n, by trial division against every smaller number.
n = int(input())
total = 0
for i in range(2, n + 1):
    prime = True
    for j in range(2, i):
        if i % j == 0:
            prime = False
            break
    if prime:
        total += i
print(total)
