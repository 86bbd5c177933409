# Sum n integers given one per line, reading each with input().
n = int(input())
total = 0
for _ in range(n):
    total += int(input())
print(total)
