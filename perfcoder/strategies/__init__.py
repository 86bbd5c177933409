"""Prompting strategies and search: how candidates are asked for, pulled out of model text, and chosen."""
