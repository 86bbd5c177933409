"""Verification: everything that decides whether a candidate may be measured and returned (differential
testing, input mutation and validation, test generation, hack checks), behind one funnel."""
