"""The library functions behind every command (`perfcoder.optimize`, `perfcoder.optimize_dataset`,
`perfcoder.generate`, `perfcoder.evaluate`, `perfcoder.generate_tests`), each driven by a typed config;
the CLI only parses, calls them and prints."""
