import pandas as pd

prices = pd.Series([101.0, 102.5, 99.8, 103.2, 104.0, 102.1, 105.5], name="close")
window = 3
rolling = prices.rolling(window=window).mean()
changes = prices.pct_change().fillna(0.0)
summary = pd.concat([prices, rolling.rename("mean_3"), changes.rename("change")], axis=1)
print(summary.round(2))
print("best day:", changes.idxmax(), "worst day:", changes.idxmin())
