# Count distinct values with a set.
input()
print(len(set(input().split())))
