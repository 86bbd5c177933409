"""CERT (Zan et al., 2022) at inference. The sketcher samples a task's code many times; each sample is
sketched (perfcoder's own sketching, so the vote counts shapes, not spellings of constants) and the most
common sketch wins. A sketch with no placeholder is the answer; otherwise the generator writes the code
from the sketch and the context, prompted in the format it is trained on (`perfcoder sketch-corpus`):
the sketch of the whole block, CERT's `# [segmentation]` marker, then the task's prompt to continue.

With trained models the sketcher writes sketches and the generator fills them in; with one instruct
model in both roles (the prompt-only variant) the sketcher's samples are its ordinary answers."""

from __future__ import annotations

import ast
import textwrap
from collections import Counter
from dataclasses import dataclass

from perfcoder.data.code_tasks import CodegenTask
from perfcoder.data.corpus import SEGMENTATION
from perfcoder.data.sketch import has_placeholder, sketch, without_comments
from perfcoder.errors import PerfcoderError
from perfcoder.models.base import Backend, SamplingParams
from perfcoder.strategies.completion import PromptMode, continue_code, sample_task

DOCUMENTED = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class SketchVote:
    """The sketcher's verdict on one task."""

    sketch: str  # the winning sketch of the completion; "" when no sample could be sketched
    sample: str  # the first sample with that sketch
    votes: int  # samples whose sketch it is
    samples: int  # samples drawn

    @property
    def complete(self) -> bool:
        """No placeholder left: CERT takes the sketch as the answer, without the generator."""
        return bool(self.sketch.strip()) and not has_placeholder(self.sketch)


def sketch_vote(task: CodegenTask, samples: list[str], mode: str) -> SketchVote:
    """The most common sketch among the samples (first seen wins a tie); a sample that is not Python
    after its prompt (cut off mid-string, say) or holds no code has no sketch and no vote."""
    sketched: list[tuple[str, str, str]] = []  # (key, sketch, sample)
    for sample in samples:
        try:
            shape = sketch(sample, mode, context=task.prompt) if _parses(task.prompt + sample) else ""
        except PerfcoderError:  # valid after its prompt, yet not on its own (inside the prompt's string)
            shape = ""
        if without_comments(shape).strip():  # a reply of comments alone writes no code
            sketched.append((_vote_key(shape), shape, sample))
    if not sketched:
        return SketchVote("", "", 0, len(samples))
    key, votes = Counter(key for key, _, _ in sketched).most_common(1)[0]
    _, shape, sample = next(entry for entry in sketched if entry[0] == key)
    return SketchVote(shape, sample, votes, len(samples))


def generator_prompt(task: CodegenTask, vote: SketchVote, mode: str) -> str:
    """What the generator continues: the sketch of the block the answer completes (comments dropped, as
    in its corpus), the marker, the task's prompt. With no sketch the prompt alone (CERT feeds x)."""
    if not vote.sketch.strip():
        return task.prompt
    block = _block(task, vote.sample)
    try:
        shape = sketch(without_comments(block), mode)
    except PerfcoderError:
        shape = without_comments(task.prompt) + vote.sketch
    return shape.rstrip() + SEGMENTATION + task.prompt


def cert_task(
    task: CodegenTask,
    sketcher: Backend,
    generator: Backend,
    params: SamplingParams,
    sketches: int,
    mode: str = "constants",
    prompt_mode: PromptMode = "auto",
) -> tuple[list[str], SketchVote]:
    """`params.n` completions for one task and the sketch they follow. The sketcher samples `sketches`
    times with `params` (once when greedy); a complete sketch is repeated n times, so pass@k sees n."""
    drawn = sketches if params.temperature > 0 else 1
    vote = sketch_vote(
        task, sample_task(task, sketcher, params.with_n(drawn, params.seed), prompt_mode), mode
    )
    if vote.complete:
        return [vote.sample] * params.n, vote
    return continue_code(generator, generator_prompt(task, vote, mode), params), vote


def _vote_key(shape: str) -> str:
    """Sketches vote together when their code is the same: layout, comments and docstrings (which chat
    answers vary freely) do not count."""
    try:
        tree = ast.parse(textwrap.dedent(shape.strip("\n")))
    except (SyntaxError, ValueError):
        return "\n".join(line.rstrip() for line in shape.strip().splitlines())
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, DOCUMENTED) and body and _is_docstring(body[0]):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def _block(task: CodegenTask, sample: str) -> str:
    """The code an answer completes: the prompt continued by the sample, or, when the sample is a whole
    function of its own (instruct models answer so in chat), the sample's own top-level code."""
    code = task.prompt + sample
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return code
    first_own_line = task.prompt.count("\n") + (1 if task.prompt.endswith("\n") else 2)
    own = [node for node in tree.body if node.lineno >= first_own_line]
    defines = any(isinstance(n, ast.FunctionDef) and n.name == task.entry_point for n in own)
    if task.style != "candidate" or not defines:
        return code
    return "".join(code.splitlines(keepends=True)[own[0].lineno - 1 :])
