"""Where the project's shipped examples and datasets are, and the shared development data when present."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DATASETS = EXAMPLES / "datasets"
SHARED = ROOT.parent / "shared" / "data"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data not present")

assert EXAMPLES.is_dir(), f"the shipped examples are missing: {EXAMPLES}"
