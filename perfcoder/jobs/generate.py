"""`perfcoder.generate`: sample a model on HumanEval-format tasks and append `{task_id, completion}` rows
for `perfcoder evaluate --tasks --samples` (resumable, task by task); the AlphaCode strategy keeps only
its selected submissions, CERT's writes the generator's completions with the sketch they follow."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perfcoder.data.code_tasks import CodegenTask, load_tasks, tasks_path
from perfcoder.data.remote import resolve
from perfcoder.data.resumable import ResumableJsonl
from perfcoder.data.sketch import SKETCH_MODES
from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig, Executor
from perfcoder.models.base import SamplingParams
from perfcoder.models.registry import Model, ModelConfig, as_backend
from perfcoder.models.weights import DEFAULT_MODEL
from perfcoder.settings import setting, setting_factory, with_overrides
from perfcoder.strategies.alphacode import MAX_SUBMISSIONS, alphacode_select
from perfcoder.strategies.cert import cert_task
from perfcoder.strategies.completion import PromptMode, sample_task

GENERATE_STRATEGIES = ("direct", "alphacode", "cert")
PROMPT_MODES = ("auto", "chat", "completion")


@dataclass(frozen=True)
class GenerateConfig:
    n: int = setting(1, "Samples per task (one when greedy).")
    strategy: str = setting(
        "direct",
        "direct, alphacode (filter on the examples, cluster by behaviour, keep `submissions`) or cert "
        "(the most common of `sketches` sketches, filled in by the generator).",
    )
    submissions: int = setting(MAX_SUBMISSIONS, "alphacode: programs kept per task.")
    sketches: int = setting(10, "cert: sketcher samples per task, the most common sketch kept (CERT: 200).")
    sketch_mode: str = setting("constants", "cert: what sketches anonymise: constants, names or both.")
    generator: str = setting(
        "", "cert: the generator model (default: the sketcher's model, CERT's prompt-only variant)."
    )
    limit: int = setting(0, "Only the first N tasks (0: all).")
    prompt: PromptMode = setting("auto", "auto (chat for instruct models), chat or completion.")
    sampling: SamplingParams = setting_factory(
        lambda: SamplingParams(temperature=0.8, max_tokens=512), "How the model samples."
    )
    execution: ExecutionConfig = setting_factory(
        ExecutionConfig, "Sandbox, limits and results store (alphacode runs the examples)."
    )
    engine: ModelConfig = setting_factory(ModelConfig, "How a named model is loaded and cached.")

    def __post_init__(self) -> None:
        if self.strategy not in GENERATE_STRATEGIES:
            raise PerfcoderError(
                f"strategy must be one of {', '.join(GENERATE_STRATEGIES)}, not {self.strategy!r}"
            )
        if self.prompt not in PROMPT_MODES:
            raise PerfcoderError(f"prompt must be one of {', '.join(PROMPT_MODES)}, not {self.prompt!r}")
        if self.sketch_mode not in SKETCH_MODES:
            raise PerfcoderError(
                f"sketch_mode must be one of {', '.join(SKETCH_MODES)}, not {self.sketch_mode!r}"
            )
        if self.n < 1 or self.submissions < 1 or self.sketches < 1 or self.limit < 0:
            raise PerfcoderError("n, submissions and sketches must be at least 1, limit at least 0")

    def params(self) -> SamplingParams:
        return self.sampling.with_n(self.n if self.sampling.temperature > 0 else 1, self.sampling.seed)


@dataclass
class GenerateRun:
    tasks: int
    resumed: int
    samples_written: int
    skipped_rows: list[str]
    output: str
    wall_s: float
    samples: list[dict[str, Any]] = field(default_factory=list)  # the rows written by this run

    def to_dict(self) -> dict[str, Any]:
        data = {key: value for key, value in dataclasses.asdict(self).items() if key != "samples"}
        return {**data, "skipped": len(self.skipped_rows)}


def generate(
    tasks: str,
    output: Path,
    *,
    model: Model = DEFAULT_MODEL,
    generator: Model | None = None,
    config: GenerateConfig | None = None,
    on_task: Callable[[], None] | None = None,
    **overrides: Any,
) -> GenerateRun:
    """Samples for every task not yet in `output`, appended task by task. `generator` (cert) defaults to
    the config's `generator` name, else to `model`; keyword overrides set GenerateConfig fields. The
    result holds this run's samples (rows of `output`)."""
    settings = with_overrides(GenerateConfig, config, overrides)
    started = time.monotonic()
    path = resolve(tasks_path(tasks), settings.execution.cache_dir)
    loaded = load_tasks(path).require(path.name)
    chosen = loaded.items[: settings.limit] if settings.limit else loaded.items
    with (
        ResumableJsonl(output, "task_id") as sink,
        as_backend(model, settings.engine) as backend,
        as_backend(generator or settings.generator or backend, settings.engine) as filler,
        Executor(settings.execution) as executor,
    ):
        todo = [task for task in chosen if task.task_id not in sink.done]

        def draw(task: CodegenTask) -> tuple[list[str], dict[str, Any]]:
            if settings.strategy != "cert":
                return sample_task(task, backend, settings.params(), settings.prompt), {}
            completions, vote = cert_task(
                task, backend, filler, settings.params(), settings.sketches, settings.sketch_mode,
                settings.prompt,
            )  # fmt: skip
            return completions, {
                "sketch": vote.sketch, "votes": vote.votes, "sketches": vote.samples,
                "by_generator": not vote.complete,
            }  # fmt: skip

        written: list[dict[str, Any]] = []
        # a server takes several tasks at once; rows are still written in task order, task by task
        with ThreadPoolExecutor(max_workers=backend.concurrency) as pool:
            for task, (completions, extra) in zip(todo, pool.map(draw, todo), strict=True):
                if settings.strategy == "alphacode":
                    completions = alphacode_select(task, completions, executor, settings.submissions)
                for rank, completion in enumerate(completions):
                    row = {"task_id": task.task_id, "completion": completion, "strategy": settings.strategy}
                    written.append({**row, "rank": rank, **extra})
                    sink.write(written[-1])
                if on_task is not None:
                    on_task()
        skipped = [str(row) for row in loaded.skipped]
        wall = round(time.monotonic() - started, 1)
        done = len(chosen) - len(todo)
        return GenerateRun(len(chosen), done, sink.written, skipped, str(output), wall, written)
