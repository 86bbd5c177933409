"""Every benchmark script stays runnable: it imports (a renamed class would fail here, not months later in
a benchmark run) and answers --help with its description. The scripts run in this process, each as
`__main__` with `--help`, so their imports are paid once."""

from __future__ import annotations

import contextlib
import io
import runpy
import sys
from pathlib import Path

import pytest

from tests.support.paths import ROOT

SCRIPTS = sorted((ROOT / "benchmarks").glob("*.py"))


def test_every_benchmark_is_found() -> None:
    assert len(SCRIPTS) >= 15 and ROOT / "benchmarks" / "fidelity.py" in SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
def test_a_benchmark_imports_and_explains_itself(script: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", [str(script), "--help"])
    monkeypatch.syspath_prepend(str(script.parent))
    shown = io.StringIO()
    with contextlib.redirect_stdout(shown), pytest.raises(SystemExit) as exited:
        runpy.run_path(str(script), run_name="__main__")
    assert exited.value.code == 0
    assert "usage:" in shown.getvalue() and len(shown.getvalue()) > 200  # its docstring, not only usage
