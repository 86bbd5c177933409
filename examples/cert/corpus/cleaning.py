import numpy as np
import pandas as pd

RAW = pd.DataFrame(
    {
        "name": ["Ada", "Grace", None, "Linus"],
        "age": [36, np.nan, 41, 28],
        "city": ["London", "New York", "Paris", "Helsinki"],
    }
)

# drop the rows without a name, fill missing ages with the median
clean = RAW.dropna(subset=["name"]).copy()
clean["age"] = clean["age"].fillna(clean["age"].median())
clean = clean.rename(columns={"city": "town"})
clean["adult"] = clean["age"] >= 18
print(clean.sort_values("age", ascending=False).to_string(index=False))
