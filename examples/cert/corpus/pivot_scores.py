import pandas as pd


def score_table(rows):
    df = pd.DataFrame(rows, columns=["student", "subject", "score"])
    table = df.pivot_table(index="student", columns="subject", values="score", aggfunc="mean")
    table["total"] = table.sum(axis=1)
    return table.sort_values("total", ascending=False)


def passed(table, threshold=50):
    return table[(table.drop(columns="total") >= threshold).all(axis=1)].index.tolist()


rows = [("ann", "math", 71), ("ann", "art", 48), ("bob", "math", 55), ("bob", "art", 90)]
print(score_table(rows))
print(passed(score_table(rows)))
