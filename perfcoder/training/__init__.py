"""Training: policies, examples from pairs, RRHF, SFT, GRPO and CLM on TRL, recipes."""
