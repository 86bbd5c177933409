"""Monthly sales per region from a CSV export."""

import pandas as pd


def load_sales(path):
    df = pd.read_csv(path, sep=";", parse_dates=["date"])
    return df.dropna(subset=["amount"])


def monthly_totals(df):
    df["month"] = df["date"].dt.to_period("M")
    return df.groupby(["region", "month"])["amount"].sum().reset_index()


def top_regions(df, n=3):
    totals = df.groupby("region")["amount"].sum()
    return totals.nlargest(n)


if __name__ == "__main__":
    sales = load_sales("sales.csv")
    print(monthly_totals(sales).head(10))
    print(top_regions(sales, 5))
