# Count distinct values, keeping a list of the ones seen.
n = int(input())
distinct = []
for x in map(int, input().split()):
    if x not in distinct:
        distinct.append(x)
print(len(distinct))
