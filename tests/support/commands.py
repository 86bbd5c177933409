"""The `perfcoder` command as a user runs it: a real subprocess with its own cache and a plain PATH."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_cli(*args: str | Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {"PERFCODER_CACHE": str(cache), "PATH": "/usr/bin:/bin", "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "perfcoder", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def evaluate_json(cache: Path, *args: str | Path) -> dict[str, Any]:
    """`perfcoder evaluate ... --json`, which must succeed, parsed."""
    done = run_cli("evaluate", *args, "--json", cache=cache)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]
