"""Naming a function in a project, splicing a rewrite into its module, and the canonical text that
decides whether two outcomes are the same (no sandbox needed)."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from perfcoder.data.function_task import RUNTIME, FunctionTarget
from perfcoder.errors import PerfcoderError

MODULE = '''"""Shapes."""

from __future__ import annotations

import math


class Grid:
    def __init__(self, cells: list[int]) -> None:
        self.cells = cells

    @staticmethod
    def total(cells: list[int]) -> int:
        out = 0
        for cell in cells:
            out = out + cell
        return out


def norm(values: list[float], *, squared: bool = False) -> float:
    total = sum(v * v for v in values)
    return total if squared else math.sqrt(total)
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "src" / "shapes").mkdir(parents=True)
    (tmp_path / "src" / "shapes" / "__init__.py").write_text("")
    (tmp_path / "src" / "shapes" / "geometry.py").write_text(MODULE)
    return tmp_path


def canonical() -> ModuleType:
    spec = importlib.util.spec_from_file_location("canonical_under_test", RUNTIME / "canonical.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_target_names_its_module_package_and_import_root(project: Path) -> None:
    target = FunctionTarget.parse("src/shapes/geometry.py::Grid.total", project)
    assert (target.module_name, target.package) == ("shapes.geometry", "shapes")
    assert target.import_root.endswith("/src")
    assert target.function_source(target.source()).startswith("@staticmethod\ndef total(")
    with pytest.raises(PerfcoderError, match=r"no function 'Grid\.area'"):
        FunctionTarget.parse("src/shapes/geometry.py::Grid.area", project)
    with pytest.raises(PerfcoderError, match=r"path/to/module\.py::function"):
        FunctionTarget.parse("src/shapes/geometry.py", project)


def test_a_rewrite_replaces_the_function_only_and_brings_its_new_imports_to_the_others(project: Path) -> None:
    target = FunctionTarget.parse("src/shapes/geometry.py::norm", project)
    reply = (
        "import numpy as np\nfrom shapes import geometry\n\n\ndef norm(values, *, squared=False):\n"
        "    return float(np.dot(values, values))\n"
    )
    patched = target.patch(target.source(), reply)
    assert "import math\nimport numpy as np\n\n\nclass Grid" in patched and "math.sqrt" not in patched
    assert "from shapes import geometry" not in patched  # the module itself
    assert patched.count("class Grid") == 1 and patched.startswith('"""Shapes."""')


def test_a_method_rewrite_keeps_its_indentation(project: Path) -> None:
    target = FunctionTarget.parse("src/shapes/geometry.py::Grid.total", project)
    reply = "@staticmethod\ndef total(cells: list[int]) -> int:\n    return sum(cells)\n"
    patched = target.patch(target.source(), reply)
    tree = ast.parse(patched)
    grid = next(node for node in tree.body if isinstance(node, ast.ClassDef))
    assert [n.name for n in grid.body if isinstance(n, ast.FunctionDef)] == ["__init__", "total"]
    method = "    @staticmethod\n    def total(cells: list[int]) -> int:\n        return sum(cells)\n"
    assert method in patched


def test_a_changed_signature_or_a_missing_function_is_refused(project: Path) -> None:
    target = FunctionTarget.parse("src/shapes/geometry.py::norm", project)
    with pytest.raises(PerfcoderError, match="signature"):
        target.patch(target.source(), "def norm(values, squared=False):\n    return 0.0\n")
    with pytest.raises(PerfcoderError, match="defines no function"):
        target.patch(target.source(), "def other(values):\n    return 0.0\n")


def test_the_harness_keeps_future_imports_first_and_drops_the_call_for_its_baseline(project: Path) -> None:
    target = FunctionTarget.parse("src/shapes/geometry.py::norm", project)
    harness = target.harness(target.source())
    tree = ast.parse(harness)
    assert isinstance(tree.body[1], ast.ImportFrom) and tree.body[1].module == "__future__"
    assert harness.rstrip().splitlines()[-2] == "_perfcoder_replay(True)"
    assert "_perfcoder_replay(False)" in target.without_call(harness)


def test_canonical_text_is_equal_exactly_for_equal_outcomes() -> None:
    module = canonical()
    text = module.canonical
    assert text({"b": 1, "a": {2, 1}}) == text({"a": {1, 2}, "b": 1})
    assert text([1, 2]) != text((1, 2)) and text(1) != text(1.0) and text(float("nan")) == "nan"
    cycle: list[object] = []
    cycle.append(cycle)
    assert text(cycle) == "list[<cycle>]"
    grid = type("Grid", (), {})()
    grid.cells = [1]
    assert text(grid) == "Grid(dict{'cells': list[1]})"
    assert module.outcome(None, ValueError("x"), ((), {})).startswith("raised ValueError\n")
