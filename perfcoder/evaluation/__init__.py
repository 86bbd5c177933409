"""Evaluation: datasets plus a model's outputs, judged in the sandbox and scored with the papers' metrics."""
