# Count queries that occur in the list, with a set.
n, q = map(int, input().split())
a = set(map(int, input().split()))
queries = list(map(int, input().split()))
print(sum(1 for x in queries if x in a))
