# Sort n integers with the built-in sort and print the sorted list.
input()
print(" ".join(map(str, sorted(map(int, input().split())))))
