"""`python -m perfcoder` is the `perfcoder` command."""

from perfcoder.cli.main import app

app()
