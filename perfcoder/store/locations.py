"""Where perfcoder keeps what it caches (results, generations, models, downloads)."""

import os
from pathlib import Path


def default_cache_dir() -> Path:
    """`$PERFCODER_CACHE`, else `$XDG_CACHE_HOME/perfcoder`, else `~/.cache/perfcoder`."""
    if os.environ.get("PERFCODER_CACHE"):
        return Path(os.environ["PERFCODER_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "perfcoder"
