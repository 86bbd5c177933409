import pandas as pd


class Catalog:
    """Products with their prices, joined to orders."""

    def __init__(self, products):
        self.products = pd.DataFrame(products).set_index("sku")

    def price_of(self, sku):
        return float(self.products.loc[sku, "price"])

    def order_values(self, orders):
        joined = pd.merge(orders, self.products, left_on="sku", right_index=True, how="left")
        joined["value"] = joined["quantity"] * joined["price"]
        return joined[["order_id", "value"]]


catalog = Catalog([{"sku": "A1", "price": 2.5}, {"sku": "B2", "price": 10.0}])
orders = pd.DataFrame({"order_id": [1, 2, 3], "sku": ["A1", "B2", "A1"], "quantity": [4, 1, 2]})
print(catalog.order_values(orders))
print(catalog.price_of("B2"))
