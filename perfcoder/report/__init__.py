"""Reports of evaluations: Markdown and a self-contained HTML page with charts, next to the raw results."""
