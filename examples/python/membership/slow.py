# Count queries that occur in the list, searching the list each time.
n, q = map(int, input().split())
a = list(map(int, input().split()))
queries = list(map(int, input().split()))
print(sum(1 for x in queries if x in a))
