"""The `perfcoder` command line."""
