"""Real-world check of `perfcoder optimize FILE::FUNCTION --trace COMMAND`: functions of pure-Python
packages installed from PyPI (pinned versions), each exercised by a short script, optimized with the
default model through the whole flow (capture, replay, growth, search, verification, the command
re-run with the winner, costs with the harness subtracted).

Run (installs the packages into a temporary directory; ~5-10 min per function with the bundled model on
2 cores):
  .venv/bin/python benchmarks/functions.py
Writes benchmarks/results/functions.json: per function, the calls captured and generated, where the
candidates stopped, the verified speedup (or why the function came back unchanged), per-call costs and
the diff."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfcoder.jobs.optimize import OptimizeConfig
from perfcoder.jobs.optimize_function import optimize_function
from perfcoder.models.weights import DEFAULT_MODEL

RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Case:
    package: str  # pip requirement, pinned
    function: str  # path inside the installed tree :: name
    script: str  # exercises the function (the trace command runs it)


CASES = (
    Case(
        "humanize==4.9.0",
        "humanize/number.py::intcomma",
        "import humanize\n"
        "for value in [0, 7, 1234, 10**6, -98765, 10**12 + 7, 3.5, '1234567', 12345.678, 10**30]:\n"
        "    print(humanize.intcomma(value))\n"
        "print(humanize.intcomma(1234.5454545, 2))\n",
    ),
    Case(
        "roman==4.2",
        "roman.py::toRoman",
        "import roman\nfor n in range(1, 4000, 37):\n    assert roman.fromRoman(roman.toRoman(n)) == n\n",
    ),
)


def run_case(case: Case, model: str, config: OptimizeConfig) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        project = Path(directory)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "-q",
                "--no-deps",
                "--target",
                str(project),
                case.package,
            ],
            check=True,
        )
        (project / "exercise.py").write_text(case.script)
        started = time.monotonic()
        result = optimize_function(
            case.function, "python exercise.py", project=project, model=model, config=config
        )
    search = result.search
    return {
        "package": case.package,
        "function": case.function,
        "improved": result.improved,
        "speedup": result.speedup,
        "note": result.note,
        "noise": result.noise,
        "min_gain": result.min_gain,
        "calls": result.calls,
        "verification": search.verification,
        "samples": search.samples,
        "command_checks": [{k: c[k] for k in ("speedup", "passed")} for c in result.command_checks],
        "candidates": [
            {"stage": c.stage, "verdict": c.verdict, "speedup": c.speedup, "note": c.note[:300]}
            for c in search.candidates
        ],
        "per_call": [vars(row) for row in result.per_call],
        "diff": result.diff,
        "wall_s": round(time.monotonic() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("-k", type=int, default=8, help="model samples per function")
    parser.add_argument("--cost", default=OptimizeConfig.cost)
    args = parser.parse_args()
    config = OptimizeConfig(k=args.k, cost=args.cost)
    rows = []
    for case in CASES:
        print(f"{case.package} {case.function}", flush=True)
        rows.append(run_case(case, args.model, config))
        print(json.dumps({k: rows[-1][k] for k in ("function", "improved", "speedup", "note")}), flush=True)
    command = f"benchmarks/functions.py --model {args.model} -k {args.k} --cost {args.cost}"
    report = {"command": command, "functions": rows}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "functions.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
