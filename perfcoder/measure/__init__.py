"""Cost models: deterministic counts from cachegrind, and (non-deterministic) repeated timing."""
