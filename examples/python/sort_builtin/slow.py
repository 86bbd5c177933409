# Sort n integers with bubble sort and print the sorted list.
n = int(input())
a = list(map(int, input().split()))
for i in range(n):
    swapped = False
    for j in range(n - 1 - i):
        if a[j] > a[j + 1]:
            a[j], a[j + 1] = a[j + 1], a[j]
            swapped = True
    if not swapped:
        break
print(" ".join(map(str, a)))
