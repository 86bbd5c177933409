"""Tasks, datasets and test suites."""
