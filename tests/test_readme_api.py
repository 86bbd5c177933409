"""The README's Python API examples, run as they are written (from the repository root): if an example
breaks or its output changes meaning, this fails."""

from __future__ import annotations

import contextlib
import inspect
import io
import os
import re
from pathlib import Path

import pytest

import perfcoder
from perfcoder.measure.cost_models import DEFAULT_REPEATS

ROOT = Path(__file__).resolve().parent.parent


def api_examples() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```python\n(.*?)^```$", section, flags=re.DOTALL | re.MULTILINE)


def test_the_readme_python_api_examples_run(private_cache: Path) -> None:
    blocks = api_examples()
    assert len(blocks) == 3
    namespace: dict[str, object] = {}
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out):
            for block in blocks:
                exec(compile(block, "README.md", "exec"), namespace)  # the project's own example code
    finally:
        os.chdir(cwd)
    comparison, result, rewards = namespace["comparison"], namespace["result"], namespace["rewards"]
    assert comparison.speedup > 10  # type: ignore[attr-defined]
    assert result.improved and result.code == namespace["fast"]  # type: ignore[attr-defined]
    assert [c.verdict for c in result.candidates] == ["accepted", "compile_error"]  # type: ignore[attr-defined]
    assert rewards[0] > 1.0 and rewards[1] == 0.0  # type: ignore[index, operator]
    checked = namespace["checked"]  # the fast program went through the funnel: measured, accepted
    assert checked.stage == "measured" and checked.speedup == comparison.speedup  # type: ignore[attr-defined]
    assert "measured accepted" in out.getvalue()


def test_make_shows_its_parameters() -> None:
    parameters = inspect.signature(perfcoder.make).parameters
    assert list(parameters)[:3] == ["language", "cost", "flags"]
    assert parameters["repeats"].default == DEFAULT_REPEATS


def test_the_api_is_listed_and_every_name_in_it_resolves() -> None:
    assert dir(perfcoder) == sorted(perfcoder.__all__)
    for name in perfcoder.__all__:
        assert getattr(perfcoder, name) is not None, name
    config = perfcoder.OptimizeConfig(search="evolve", evolve=perfcoder.EvolveConfig(islands=2))
    assert config.search_config().evolve.islands == 2


JOBS = {  # each job: the smallest positional and keyword arguments of a call
    "optimize": (("print(1)\n", [{"input": "", "output": "1\n"}]), {"language": "python"}),
    "optimize_function": (("m.py::f", "true"), {}),
    "evaluate": ((), {"pairs": "p.jsonl"}),
    "generate": (("t.jsonl", Path("out.jsonl")), {}),
    "generate_tests": ((Path("out"),), {"pairs": "p.jsonl"}),
    "selfplay": ((), {}),
    "profile": (("print(1)\n", [{"input": "", "output": "1\n"}]), {"language": "python"}),
    "train": (("rrhf",), {}),
}


@pytest.mark.parametrize("job", sorted(JOBS))
def test_every_job_takes_a_config_and_checked_keyword_overrides(job: str) -> None:
    """One API shape: perfcoder.<job>(..., config=None, **overrides); a misspelt setting is refused
    by name before any work."""
    function = getattr(perfcoder, job)
    parameters = inspect.signature(function).parameters
    assert parameters["config"].default is None
    assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    args, kwargs = JOBS[job]
    with pytest.raises(perfcoder.PerfcoderError, match=r"unknown .*setting.*'bogus_setting'"):
        function(*args, **kwargs, bogus_setting=1)
