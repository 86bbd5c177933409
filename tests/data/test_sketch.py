"""CERT's sketches and corpora: constants and user names anonymised, library usage and everything else
kept exactly; checked on written code and on the real PandasEval canonical solutions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from perfcoder.data.corpus import SEGMENTATION, blocks, imports_library
from perfcoder.data.sketch import PLACEHOLDER, has_placeholder, sketch, without_comments
from perfcoder.errors import PerfcoderError
from tests.support.commands import run_cli
from tests.support.paths import SHARED, needs_shared

CODE = '''import pandas as pd


def load(path, n=10):
    """Read the first rows."""
    df = pd.read_csv(path, sep=";")  # semicolons
    return df.head(n).rename(columns={"a": "b" 'c'})


threshold = -0.5 * 2
result = load("data.csv", n=3)
'''


def test_constants_become_number_and_string_and_nothing_else_changes() -> None:
    sketched = sketch(CODE)
    assert 'def load(path, n=number):\n    """Read the first rows."""' in sketched  # docstring kept
    assert "pd.read_csv(path, sep=string)  # semicolons" in sketched  # API and comment kept
    assert "columns={string: string}" in sketched  # implicit concatenation is one string
    assert "threshold = -number * number" in sketched and "load(string, n=number)" in sketched
    assert kept_exactly(sketched, CODE)


def kept_exactly(sketched: str, original: str) -> bool:
    """Between placeholders, the sketch is the original character for character."""
    pieces = PLACEHOLDER.split(sketched)
    return re.fullmatch("(.+?)".join(re.escape(piece) for piece in pieces), original, re.DOTALL) is not None


def test_names_become_numbered_placeholders_and_library_names_stay() -> None:
    sketched = sketch(CODE, "names")
    assert "def name_1(name_2, name_3=10):" in sketched
    assert 'name_4 = pd.read_csv(name_2, sep=";")' in sketched  # pd (imported) and read_csv (attribute)
    assert "name_4.head(name_3).rename(columns=" in sketched  # keyword argument names kept
    assert 'name_6 = name_1("data.csv", n=3)' in sketched
    assert "import pandas as pd" in sketched and "0.5" in sketched and kept_exactly(sketched, CODE)


def test_both_modes_together_and_placeholders_detected() -> None:
    sketched = sketch(CODE, "both")
    assert "name_4 = pd.read_csv(name_2, sep=string)" in sketched and "name_3=number" in sketched
    assert has_placeholder(sketched) and not has_placeholder(sketch("import numpy as np\nnp.zeros(())\n"))
    assert sketch("print(len(xs))\n", "names") == "print(len(xs))\n"  # builtins, undefined names stay


def test_a_completion_is_sketched_with_its_prompt_as_context() -> None:
    prompt = "import numpy as np\n\ndef ceil_of_series(s):\n    return "
    assert sketch("np.ceil(s)", "names", context=prompt) == "np.ceil(name_1)"
    assert sketch("np.ceil(s)", "names") == "np.ceil(s)"  # alone, `s` is nobody's


def test_comments_are_removed_exactly() -> None:
    code = "x = 1  # one\n# two\nif x:\n    # three\n    y = '#'\n"
    assert without_comments(code) == "x = 1  \nif x:\n    y = '#'\n"


def test_unknown_modes_and_untokenizable_code_are_refused() -> None:
    with pytest.raises(PerfcoderError, match="sketch mode"):
        sketch(CODE, "everything")
    with pytest.raises(PerfcoderError, match="does not tokenize"):
        sketch('x = """never closed\n')


@needs_shared
@pytest.mark.parametrize("mode", ["constants", "names", "both"])
def test_real_pandaseval_solutions(mode: str) -> None:
    """Every canonical solution sketches; constants go, API names (attributes, pd/np) always stay."""
    rows = [json.loads(line) for line in (SHARED / "pandaseval-dev.jsonl").read_text().splitlines()]
    replaced = 0
    for row in rows:
        solution = row["canonical_solution"][0]
        sketched = sketch(solution, mode, context=row["prompt"])
        apis = re.findall(r"\.([A-Za-z_]\w*)\(", solution)
        assert all(f".{api}(" in sketched for api in apis), (solution, sketched)
        literals = re.findall(r"'[^']*'|\"[^\"]*\"|\b\d+\b", solution)
        if mode != "names":
            assert not any(
                literal in PLACEHOLDER.sub("", sketched) for literal in literals if len(literal) > 1
            )
        replaced += sketched != solution
    assert replaced >= len(rows) // 2


def test_corpora_from_a_directory(tmp_path: Path) -> None:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "a.py").write_text(CODE)
    (tmp_path / "src" / "b.py").write_text("import os\nprint(os.getcwd())\n")
    (tmp_path / "src" / "c.py").write_text("from pandas import DataFrame\nDataFrame({'a': [1]})\n")
    assert imports_library(CODE, "pandas") and not imports_library("import pandasx\n", "pandas")
    assert [piece.splitlines()[0] for piece in blocks(CODE)] == [
        "import pandas as pd",
        "def load(path, n=10):",
        "",
    ]
    done = run_cli(
        "sketch-corpus",
        tmp_path / "src",
        "--library",
        "pandas",
        "-o",
        tmp_path / "out",
        "--json",
        cache=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["files_seen"], summary["files_used"]) == (3, 2)
    generator = [
        json.loads(line)["text"] for line in (tmp_path / "out" / "generator.jsonl").read_text().splitlines()
    ]
    assert len(generator) == summary["blocks"] == 4
    (function,) = [text for text in generator if "def load" in text]
    sketch_part, code_part = function.split(SEGMENTATION)
    assert code_part.startswith("def load(path, n=10):") and "sep=string)" in sketch_part
    assert "# semicolons" not in sketch_part  # CERT's sketches drop comments


def test_sketch_command_prints_the_sketch(tmp_path: Path) -> None:
    source = tmp_path / "s.py"
    source.write_text(CODE)
    done = run_cli("sketch", source, "--mode", "both", cache=tmp_path)
    assert done.returncode == 0 and done.stdout == sketch(CODE, "both")


def test_an_indented_fragment_keeps_its_docstring() -> None:
    fragment = '    def f(x):\n        """Doc."""\n        return x + 1\n'
    assert sketch(fragment) == fragment.replace("1", "number")
