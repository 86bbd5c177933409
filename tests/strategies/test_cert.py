"""CERT's inference: the sketch vote, the generator's prompt, and `generate --strategy cert` whose samples
the real sandbox then scores. The models are scripted (this tests the strategy, not a model)."""

from __future__ import annotations

import json
from pathlib import Path

from perfcoder.data.code_tasks import CodegenTask, load_tasks
from perfcoder.data.corpus import SEGMENTATION
from perfcoder.evaluation.code_samples import evaluate_samples
from perfcoder.evaluation.predictions import TaskSample
from perfcoder.execution.engine import ExecutionConfig, Executor
from perfcoder.jobs.generate import GenerateConfig, generate
from perfcoder.models.base import SamplingParams
from perfcoder.strategies.cert import cert_task, generator_prompt, sketch_vote
from tests.support.commands import run_cli
from tests.support.files import write_rows
from tests.support.models import ScriptedModel
from tests.support.paths import DATASETS

SCRIPT = CodegenTask(
    "Lib/0",
    "import pandas as pd\n\ndf = pd.DataFrame({'a': [5, 1, 7, 2]})\n# the three largest values of a\nout =",
    "none",
    " df['a'].nlargest(3)",
    "def check():\n    assert out.tolist() == [7, 5, 2]\n",
    style="script",
)
FUNCTION = CodegenTask(
    "Lib/1",
    "import pandas as pd\n\ndef first_rows(df):\n    # the first two rows\n    return ",
    "first_rows",
    "df.head(2)",
    "def check(candidate):\n    assert len(candidate(pd.DataFrame({'a': range(5)}))) == 2\n",
    style="candidate",
)
PARAMS = SamplingParams(n=2, temperature=0.8, max_tokens=64)


def test_the_most_common_sketch_wins_and_unsketchable_samples_do_not_vote() -> None:
    samples = [" df['a'].nlargest(4)", " df['b'].nlargest(3)", " df.max()", " df['a", " df['x'].nlargest(1)"]
    vote = sketch_vote(SCRIPT, samples, "constants")
    assert vote.sketch == " df[string].nlargest(number)" and vote.sample == " df['a'].nlargest(4)"
    assert (vote.votes, vote.samples) == (3, 5) and not vote.complete
    assert sketch_vote(SCRIPT, [" df.max()", " df.max() "], "constants").complete


def test_the_generator_reads_the_sketched_block_the_marker_and_the_prompt() -> None:
    vote = sketch_vote(SCRIPT, [" df['a'].nlargest(4)"], "constants")
    prompt = generator_prompt(SCRIPT, vote, "constants")
    sketched = "import pandas as pd\n\ndf = pd.DataFrame({string: [number, number, number, number]})\n"
    assert prompt == sketched + "out = df[string].nlargest(number)" + SEGMENTATION + SCRIPT.prompt
    assert "# the three largest" not in prompt.split(SEGMENTATION)[0]  # comments are the user's words
    assert generator_prompt(SCRIPT, sketch_vote(SCRIPT, [" 'a"], "constants"), "constants") == SCRIPT.prompt


def test_a_whole_function_from_chat_is_its_own_block() -> None:
    answer = "\nimport pandas as pd\n\ndef first_rows(df):\n    return df.head(3)\n"
    vote = sketch_vote(FUNCTION, [answer], "constants")
    prompt = generator_prompt(FUNCTION, vote, "constants")
    assert prompt.startswith("import pandas as pd\n\ndef first_rows(df):\n    return df.head(number)")
    assert prompt.endswith(SEGMENTATION + FUNCTION.prompt)
    commented = CodegenTask(
        "Lib/2", "import pandas as pd\n\ndef f(df):\n    # rows\n", "f", "", "", "candidate"
    )
    after_stub = "    pass\n\nimport pandas as pd\n\ndef f(df):\n    return df.head(3)\n"  # what chat gives
    block = generator_prompt(commented, sketch_vote(commented, [after_stub], "constants"), "constants")
    assert block.startswith("import pandas as pd\n\ndef f(df):\n    return df.head(number)" + SEGMENTATION)


def test_a_complete_sketch_is_the_answer_and_the_generator_is_not_asked() -> None:
    sketcher = ScriptedModel([], continuations=[[" df.max()", " df.max()", " df.min()"]])
    generator = ScriptedModel([])  # any request fails
    completions, vote = cert_task(SCRIPT, sketcher, generator, PARAMS, 3, prompt_mode="completion")
    assert completions == [" df.max()", " df.max()"] and vote.votes == 2 and not generator.prompts


def test_generate_cert_writes_the_generators_completions_and_the_sandbox_scores_them(
    tmp_path: Path, private_cache: Path
) -> None:
    tasks = write_rows(tmp_path / "tasks.jsonl", [_row(SCRIPT)])
    sketcher = ScriptedModel(
        [], continuations=[[" df['a'].nlargest(5)", " df['a'].nlargest(2)", " df.sort_values('a')"]]
    )
    generator = ScriptedModel([], continuations=[[" df['a'].nlargest(3)", " df['a'].nlargest(2)"]])
    config = GenerateConfig(
        n=2, strategy="cert", sketches=3, prompt="completion", sampling=PARAMS,
        execution=ExecutionConfig(cache_dir=private_cache),
    )  # fmt: skip
    out = tmp_path / "samples.jsonl"
    run = generate(str(tasks), out, model=sketcher, generator=generator, config=config)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert run.samples_written == 2 and generator.prompts[0].endswith(SEGMENTATION + SCRIPT.prompt)
    assert all(r["sketch"] == " df[string].nlargest(number)" and r["votes"] == 2 for r in rows)
    assert all(r["by_generator"] for r in rows)
    loaded = load_tasks(tasks).items
    with Executor(ExecutionConfig(cache_dir=private_cache)) as executor:
        scored = evaluate_samples(loaded, [TaskSample(r["task_id"], r["completion"]) for r in rows], executor)
    assert scored.pass_at == {1: 0.5}  # nlargest(3) is right, nlargest(2) is not: judged for real


def test_generate_cert_with_a_real_instruct_model(tmp_path: Path, private_cache: Path) -> None:
    out = tmp_path / "cert.jsonl"
    args = ["generate", DATASETS / "tasks-humaneval.jsonl", "-o", out, "-s", "cert", "--sketches", "3"]
    done = run_cli(*args, "-n", "2", "--model", "smollm2-135m", "--max-tokens", "32", "--limit", "1",
                   "--json", cache=private_cache)  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 2 and all(r["strategy"] == "cert" and r["sketches"] == 3 for r in rows)
    assert all(0 <= r["votes"] <= 3 for r in rows)


def _row(task: CodegenTask) -> dict[str, object]:
    return {
        "task_id": task.task_id, "prompt": task.prompt, "entry_point": task.entry_point,
        "canonical_solution": [task.canonical_solution], "test": task.test,
    }  # fmt: skip
