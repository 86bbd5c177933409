"""`perfcoder.optimize_function`: a faster version of one function inside a Python project, verified on
its real calls.

1. capture: the project's command (its tests, a script) runs in the sandbox with a tracer; the
   function's calls are kept (pickled arguments and outcome), the smallest distinct ones;
2. tests: each recorded call replayed alone on the original must give the same outcome; grown and
   perturbed calls the original answers within a budget are added (the original is the oracle);
3. search: the model rewrites the function only (any search mode, profiles of the function's lines);
   every candidate goes through the verification funnel on those calls (same return value, same
   exception type, same arguments after the call; hack checks; a second run);
4. the fastest verified candidate that beats the input by the minimum gain must also pass the command
   itself with the candidate in place, else the next one is tried;
5. costs are the calls' alone: a harness that loads the call without making it is measured on each
   call and subtracted."""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfcoder.data.call_capture import (
    CallsConfig,
    CallSuite,
    call_tests,
    capture_calls,
    project_snapshot,
    run_command,
)
from perfcoder.data.function_task import FunctionTarget, unified_diff
from perfcoder.environment import Environment
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import Executor
from perfcoder.execution.languages import PYTHON
from perfcoder.execution.testcase import TestCase
from perfcoder.execution.verdict import Verdict
from perfcoder.jobs.optimize import OptimizeConfig
from perfcoder.measure.cost_models import cost_model, speedup
from perfcoder.models.registry import Model, as_backend
from perfcoder.models.weights import DEFAULT_MODEL
from perfcoder.settings import with_overrides
from perfcoder.strategies.function_prompt import FunctionCandidates, FunctionPrompt, function_lines
from perfcoder.strategies.search import Candidate, OnEvent, OptimizeResult, optimize_program
from perfcoder.verify.differential import DifferentialConfig

NOISE_MARGIN = 2.0  # a candidate must be faster than twice the noise floor of inert edits
COMMAND_TRIES = 3  # verified candidates the command is run with, fastest first, before giving up
TAIL = 600  # characters of the command's output kept in a rejection


@dataclass
class CallCost:
    """One call's cost for the original and the returned function (harness subtracted)."""

    name: str
    original: float
    returned: float
    speedup: float | None


@dataclass
class FunctionResult:
    target: str
    trace: str
    cost_model: str
    improved: bool
    speedup: float  # of the returned function over the original, over all calls (1.0: the original)
    function: str  # the returned function's source
    module: str  # the returned module's source
    diff: str  # unified diff of the module ("" when the original is returned)
    calls: dict[str, Any]  # what was captured, kept, generated and dropped
    per_call: list[CallCost]
    search: OptimizeResult
    command_checks: list[dict[str, Any]] = field(default_factory=list)  # candidates run with the command
    applied: bool = False
    note: str = ""
    noise: float = 0.0  # how far from 1.0 inert edits of the module measured (see _noise_floor)
    min_gain: float = 0.0  # the gain a candidate had to reach: the config's, or twice the noise

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["search"] = self.search.to_dict()
        return data


def optimize_function(
    function: str,
    trace: str,
    *,
    project: str | Path | None = None,
    model: Model = DEFAULT_MODEL,
    config: OptimizeConfig | None = None,
    calls: CallsConfig | None = None,
    apply: bool = False,
    on_event: OnEvent | None = None,
    state: Path | None = None,
    **overrides: Any,
) -> FunctionResult:
    """A verified faster version of `function` (`path/to/module.py::name` inside `project`, default the
    current directory) whose calls are those the shell command `trace` makes, or the function itself.
    `apply` writes the returned module over the original file when it is faster."""
    settings = with_overrides(OptimizeConfig, config, overrides)
    checks = calls or CallsConfig()
    target = FunctionTarget.parse(function, project)
    with project_snapshot(target.project) as snapshot, as_backend(model, settings.engine) as backend:
        snap = dataclasses.replace(target, project=snapshot)  # the project as it was when the run began
        module = snap.source()
        sandbox_config = dataclasses.replace(settings.execution.sandbox, project=str(snapshot))
        execution = dataclasses.replace(settings.execution, sandbox=sandbox_config)
        startup = snap.without_call
        costs = cost_model(settings.cost)
        # every run in a process of its own: the fork server's counts of a program that imports a project
        # differ from a plain run's (importing humanize: 3.8% fewer instructions), so a batched original
        # and a candidate measured on its own after a failed batch would not compare
        with Environment(
            PYTHON, costs, execution, repeats=settings.repeats, startup=startup, batched=False
        ) as env:
            _say(on_event, f"running {trace!r} with a tracer on {target.name}")
            capture = capture_calls(snap, trace, env.executor, checks)
            snap = dataclasses.replace(snap, warm_up=capture.calls[0][0])  # the smallest recorded call
            _say(on_event, f"{len(capture.calls)} of {capture.seen} calls kept; replaying them")
            suite = call_tests(snap, capture, env.executor, checks, on_event)
            candidates = FunctionCandidates(snap, module)
            search_config = dataclasses.replace(
                settings.search_config(), differential=DifferentialConfig(enabled=False)
            )  # the generated calls are in the tests already
            result = optimize_program(
                snap.harness(module), suite.tests, env, backend, FunctionPrompt(snap), search_config,
                on_event, state=state, extract=candidates, focus=function_lines(snap),
            )  # fmt: skip
            noise, min_gain = 0.0, settings.min_gain
            if result.improved:  # the floor matters only to a candidate that would be returned
                _say(on_event, "measuring inert edits of the module: the noise floor")
                noise = _noise_floor(env, snap, module, suite)
                min_gain = max(min_gain, NOISE_MARGIN * noise)
            checked = _command_check(result, candidates, snap, trace, env.executor, checks, min_gain)
            chosen = candidates.modules[result.code]
            per_call = _per_call(env, suite, snap.harness(module), result.code)
    diff = unified_diff(target, module, chosen) if result.improved else ""
    answer = FunctionResult(
        target.name, trace, result.cost_model, result.improved, result.speedup,
        target.function_source(chosen), chosen, diff, suite.to_dict(), per_call, result, checked,
        note=result.note, noise=noise, min_gain=min_gain,
    )  # fmt: skip
    if apply and result.improved:
        if target.source() != module:
            raise PerfcoderError(
                f"{target.path} changed during the run; not applied (the diff is in the result)"
            )
        target.file.write_text(chosen)
        answer.applied = True
    return answer


def _command_check(
    result: OptimizeResult,
    candidates: FunctionCandidates,
    target: FunctionTarget,
    trace: str,
    executor: Executor,
    checks: CallsConfig,
    min_gain: float,
) -> list[dict[str, Any]]:
    """The fastest verified candidates (above the minimum gain) with the command run on them in
    place of the original, until one passes; the returned program is that one, or the input."""
    ranked = sorted(
        (c for c in result.candidates if _eligible(c, min_gain)), key=lambda c: -(c.speedup or 0.0)
    )
    if result.improved and not ranked:
        result.code, result.speedup, result.improved = candidates.original, 1.0, False
        result.note = (
            f"the fastest verified candidate is within twice the noise floor of inert edits (it needed "
            f"{100 * min_gain:.1f}%): the input is returned"
        )
    done: list[dict[str, Any]] = []
    outputs: dict[str, str] = {}  # the code of each rejected candidate -> the command's output
    passed = None
    for candidate in ranked:
        if len(done) == COMMAND_TRIES:
            break
        if candidate.code in outputs:
            continue
        assert candidate.code is not None
        process = run_command(
            executor.sandbox, target.project, trace, checks.command_time_s, executor.config.toolchain.python,
            replace=(target.path, candidates.modules[candidate.code]),
        )  # fmt: skip
        tail = (process.stdout + process.stderr).decode(errors="replace").strip()[-TAIL:]
        done.append({"speedup": candidate.speedup, "passed": process.ok, "output": tail})
        if process.ok:
            passed = candidate
            break
        outputs[candidate.code] = tail
    for candidate in result.candidates:
        if candidate.code in outputs:
            candidate.verdict, candidate.stage = str(Verdict.REJECTED), "command"
            candidate.note = f"the trace command fails with this function: {outputs[candidate.code]}"
    if passed is not None:
        assert passed.code is not None and passed.speedup is not None
        result.code, result.speedup, result.improved, result.note = passed.code, passed.speedup, True, ""
    elif done:
        result.code, result.speedup, result.improved = candidates.original, 1.0, False
        result.note = f"{len(done)} verified candidates were faster, but the trace command fails with each"
    return done


def _noise_floor(env: Environment, target: FunctionTarget, module: str, suite: CallSuite) -> float:
    """How far from 1.0 the speedup of an edit that changes nothing the function does comes out: the
    module with one unused global more, and with the function's docstring gone (or one added). Small
    calls' counts move with the module's layout (globals' hash table, code objects' constants: an edit
    adding two unused imports measured 1.04x in instructions, 1.14x in cycles, on humanize's intcomma),
    so a candidate must beat this by NOISE_MARGIN before it counts as faster."""
    inert = [module + "\n_PERFCODER_INERT = 0\n", _docstring_toggled(target, module)]
    original, *edits = env.run_many([target.harness(m) for m in [module, *inert]], suite.tests)
    ratios = [speedup(original.cost, edit.cost) for edit in edits if edit.passed]
    return max((abs(1.0 - r) for r in ratios if r is not None), default=0.0)


def _docstring_toggled(target: FunctionTarget, module: str) -> str:
    """The module with the function's docstring removed, or a one-line one added."""
    node = target.node(module)
    body = node.body[0]
    lines = module.splitlines(keepends=True)
    if body.lineno == node.lineno or (ast.get_docstring(node) is not None and len(node.body) == 1):
        return module + "\n_PERFCODER_INERT_TOO = 0\n"  # nothing to toggle: another inert global
    if ast.get_docstring(node) is not None:
        return "".join(lines[: body.lineno - 1] + lines[(body.end_lineno or body.lineno) :])
    first = lines[body.lineno - 1]
    indent = first[: len(first) - len(first.lstrip())]
    return "".join([*lines[: body.lineno - 1], f'{indent}"""Inert."""\n', *lines[body.lineno - 1 :]])


def _eligible(candidate: Candidate, min_gain: float) -> bool:
    verified = candidate.verdict == Verdict.ACCEPTED and candidate.code is not None
    return verified and (candidate.speedup or 0.0) >= 1.0 + min_gain


def _per_call(env: Environment, suite: CallSuite, original: str, returned: str) -> list[CallCost]:
    """Each call's cost without the harness's, for the original and the returned function (both are in
    the results store by now)."""
    key = env.cost_model.cost_key
    tests = [TestCase(t.name, t.input, t.output) for t in suite.tests]
    bases = env.startup_costs(tests, original), env.startup_costs(tests, returned)
    before, after = env.run_many([original, returned], tests)
    rows = []
    for test, b, c, x, y in zip(tests, *bases, before.tests, after.tests, strict=True):
        cost_before, cost_after = max(x.costs[key] - b, 0.0), max(y.costs[key] - c, 0.0)
        rows.append(CallCost(test.name, cost_before, cost_after, speedup(cost_before, cost_after)))
    return rows


def _say(on_event: OnEvent | None, message: str) -> None:
    if on_event is not None:
        on_event(message)
