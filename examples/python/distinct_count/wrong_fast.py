# Count distinct values with a set of floats: values above 2^53 that differ by little collide.
input()
print(len(set(map(float, input().split()))))
