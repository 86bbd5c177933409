"""RRHF as PerfRL uses it: for each prompt the policy writes 2 samples (T=1, top-k 50) and 1 greedy
answer, the dataset's fast program is the 4th candidate; the sandbox gives each a PerfRL reward (compile
error < runtime error/timeout/wrong < accepted < accepted and faster); the policy's length-normalised
log-probabilities must rank the candidates as the rewards do (rank loss), and it learns the best one
(cross-entropy), ties going to a sample, then the greedy answer, then the target."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perfcoder.errors import PerfcoderError
from perfcoder.execution.verdict import Verdict
from perfcoder.rewards import JudgedCompletion, PerfRLReward, RewardConfig, RewardTiers
from perfcoder.settings import setting, setting_factory
from perfcoder.training.examples import TrainingExample, load_examples
from perfcoder.training.policy import Policy, load_policy
from perfcoder.training.runs import RecipeConfig, RunFiles

SAMPLE, GREEDY, TARGET = "sample", "greedy", "target"
TIE_PRIORITY = (SAMPLE, GREEDY, TARGET)  # PerfRL: among the best rewards, learn a sample first


@dataclass(frozen=True)
class RrhfConfig(RecipeConfig):
    samples: int = setting(2, "Sampled candidates per prompt (PerfRL: 2, at T=1, top-k 50).")
    greedy: bool = setting(True, "Add the greedy answer as a candidate.")
    temperature: float = setting(1.0, "Sampling temperature of the candidates.")
    top_k: int = setting(50, "Top-k of the candidates' sampling.")
    max_new_tokens: int = setting(512, "Tokens per candidate.")
    max_length: int = setting(2048, "Prompt + candidate tokens at most (the prompt keeps its end).")
    rank_weight: float = setting(1.0, "a in a * L_rank + L_tuning.")
    tiers: RewardTiers = setting_factory(RewardTiers, "PerfRL's reward levels R1..R4.")
    reward_cost: str = setting("instructions", "Cost model deciding 'faster' (R4).")
    time_limit: float = setting(5.0, "Seconds per test of each candidate.")

    def __post_init__(self) -> None:
        if self.samples < 0 or (self.samples == 0 and not self.greedy):
            raise PerfcoderError("RRHF needs candidates from the model: samples >= 1 or greedy")
        if self.max_new_tokens < 1 or self.max_length <= self.max_new_tokens:
            raise PerfcoderError("need max_new_tokens >= 1 and max_length > max_new_tokens")


def rank_loss(scores: Any, rewards: Sequence[float | None]) -> Any:
    """Σ over pairs with r_i < r_j of max(0, p_i − p_j): a worse candidate must not score higher. A
    candidate without a reward (the judge failed, not the candidate) takes part in no pair."""
    import torch

    total = scores.new_zeros(())
    for i, r_i in enumerate(rewards):
        for j, r_j in enumerate(rewards):
            if r_i is not None and r_j is not None and r_i < r_j:
                total = total + torch.relu(scores[i] - scores[j])
    return total


def best_candidate(rewards: Sequence[float | None], kinds: Sequence[str]) -> int | None:
    """The candidate to learn: the highest reward, ties broken by TIE_PRIORITY; None when nothing has a
    reward."""
    rewarded = [i for i, r in enumerate(rewards) if r is not None]
    if not rewarded:
        return None
    top = max(rewards[i] for i in rewarded)  # type: ignore[type-var]
    return min((i for i in rewarded if rewards[i] == top), key=lambda i: (TIE_PRIORITY.index(kinds[i]), i))


def token_logprobs(model: Any, prompt: list[int], completions: Sequence[list[int]]) -> list[Any]:
    """log p(token) of every completion token given the prompt, one tensor per completion (with grad)."""
    import torch

    length = len(prompt) + max(len(c) for c in completions)
    pad = 0
    ids = torch.full((len(completions), length), pad, dtype=torch.long)
    mask = torch.zeros((len(completions), length), dtype=torch.long)
    for row, completion in enumerate(completions):
        sequence = prompt + completion
        ids[row, : len(sequence)] = torch.tensor(sequence)
        mask[row, : len(sequence)] = 1
    logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1]
    logprobs = torch.log_softmax(logits.float(), dim=-1).gather(2, ids[:, 1:].unsqueeze(-1)).squeeze(-1)
    start = len(prompt) - 1
    return [logprobs[row, start : start + len(c)] for row, c in enumerate(completions)]


def rrhf_losses(
    per_token: Sequence[Any], rewards: Sequence[float | None], kinds: Sequence[str]
) -> tuple[Any, Any, int | None]:
    """(L_rank, L_tuning, index learned) from each candidate's token log-probabilities."""
    import torch

    scores = torch.stack([values.mean() for values in per_token])  # length-normalised log-probability
    best = best_candidate(rewards, kinds)
    tuning = -per_token[best].mean() if best is not None else scores.new_zeros(())
    return rank_loss(scores, rewards), tuning, best


@dataclass
class Candidates:
    texts: list[str]
    token_ids: list[list[int]]
    kinds: list[str]


class RrhfTrainer:
    """A small trainer on transformers + accelerate (one process per device under `accelerate launch`)."""

    def __init__(self, config: RrhfConfig, log: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.config = config
        self.files = RunFiles(config.run.output_dir)
        self.log = log
        self.reward = PerfRLReward(self._reward_config())

    def train(self) -> Path:
        """Run to `run.steps` (resuming from the last checkpoint) and save the final model; its directory."""
        from accelerate import Accelerator

        config, run = self.config, self.config.run
        self.files.write_config("rrhf", config)
        examples = load_examples(config.data, self.reward.config.execution)
        self.files.write_examples(examples)
        checkpoint = self.files.last_checkpoint() if run.resume else None
        policy = load_policy(config.policy, checkpoint.weights if checkpoint else None)
        accelerator = Accelerator(cpu=run.cpu)
        optimizer = run.optimizer(policy.model)
        model, optimizer = accelerator.prepare(policy.model, optimizer)
        first = checkpoint.restore(optimizer) if checkpoint else 0
        order = _order(len(examples), run.seed)
        try:
            for step in range(first, run.steps):
                batch = [
                    examples[order[(step * run.batch_size + n) % len(order)]] for n in range(run.batch_size)
                ]
                metrics = self._step(step, batch, policy, model, optimizer, accelerator)
                self.files.log(metrics)
                if self.log is not None:
                    self.log(metrics)
                if run.save_every and ((step + 1) % run.save_every == 0 or step + 1 == run.steps):
                    self.files.save_checkpoint(step + 1, policy, optimizer)
        finally:
            self.reward.close()
        policy.model = accelerator.unwrap_model(model)
        return self.files.save_final(policy)

    def _step(
        self,
        step: int,
        batch: list[TrainingExample],
        policy: Policy,
        model: Any,
        optimizer: Any,
        accelerator: Any,
    ) -> dict[str, Any]:
        started = time.monotonic()
        ranks: list[float] = []
        tunings: list[float] = []
        judged: list[tuple[str, JudgedCompletion | None]] = []
        optimizer.zero_grad()
        for n, example in enumerate(batch):
            prompt = _prompt_ids(policy.tokenizer, example, self.config)
            candidates = self._candidates(
                policy, model, prompt, example, seed=self.config.run.seed + step * 1000 + n
            )
            rewards = self.reward(
                candidates.texts,
                slow=[example.slow] * len(candidates.texts),
                tests=[json.dumps(example.tests)] * len(candidates.texts),
                language=[example.language] * len(candidates.texts),
            )
            judged.extend(zip(candidates.kinds, self.reward.last_records, strict=True))
            model.train()
            per_token = token_logprobs(model, prompt, candidates.token_ids)
            rank, tuning, _ = rrhf_losses(per_token, rewards, candidates.kinds)
            loss = (self.config.rank_weight * rank + tuning) / len(batch)
            if loss.requires_grad:  # no judged candidate (the judge failed): nothing to learn from this one
                accelerator.backward(loss)
            ranks.append(rank.item())
            tunings.append(tuning.item())
        optimizer.step()
        return {
            "step": step + 1,
            "loss": sum(self.config.rank_weight * r + t for r, t in zip(ranks, tunings, strict=True))
            / len(batch),
            "rank_loss": sum(ranks) / len(batch),
            "tuning_loss": sum(tunings) / len(batch),
            **_rates([record for kind, record in judged if kind != TARGET], self.config.tiers.faster_than),
            "target_accepted": _rates([r for kind, r in judged if kind == TARGET], 1.0)["pass_rate"],
            "seconds": time.monotonic() - started,
        }

    def _candidates(
        self, policy: Policy, model: Any, prompt: list[int], example: TrainingExample, seed: int
    ) -> Candidates:
        import torch

        config, tokenizer = self.config, policy.tokenizer
        model.eval()
        inputs = torch.tensor([prompt])
        token_ids: list[list[int]] = []
        kinds: list[str] = []
        with torch.no_grad():
            if config.samples:
                torch.manual_seed(seed)
                sampled = model.generate(
                    input_ids=inputs, attention_mask=torch.ones_like(inputs), do_sample=True,
                    temperature=config.temperature, top_k=config.top_k, max_new_tokens=config.max_new_tokens,
                    num_return_sequences=config.samples, pad_token_id=tokenizer.pad_token_id,
                )  # fmt: skip
                token_ids += [_until_eos(row[len(prompt) :].tolist(), tokenizer) for row in sampled]
                kinds += [SAMPLE] * config.samples
            if config.greedy:
                greedy = model.generate(
                    input_ids=inputs, attention_mask=torch.ones_like(inputs), do_sample=False,
                    max_new_tokens=config.max_new_tokens, pad_token_id=tokenizer.pad_token_id,
                )  # fmt: skip
                token_ids.append(_until_eos(greedy[0, len(prompt) :].tolist(), tokenizer))
                kinds.append(GREEDY)
        room = config.max_length - len(prompt) - 1  # the target is learned whole where it fits
        target = tokenizer(example.target(), add_special_tokens=False)["input_ids"][:room]
        token_ids.append([*target, tokenizer.eos_token_id])
        kinds.append(TARGET)
        texts = [tokenizer.decode(ids, skip_special_tokens=True) for ids in token_ids]
        return Candidates(texts, token_ids, kinds)

    def _reward_config(self) -> RewardConfig:
        from perfcoder.execution.engine import ExecutionConfig
        from perfcoder.execution.limits import Limits

        execution = ExecutionConfig(limits=Limits(time_s=self.config.time_limit))
        return RewardConfig(cost=self.config.reward_cost, tiers=self.config.tiers, execution=execution)


def _prompt_ids(tokenizer: Any, example: TrainingExample, config: RrhfConfig) -> list[int]:
    text = tokenizer.apply_chat_template(example.prompt(), tokenize=False, add_generation_prompt=True)
    ids: list[int] = tokenizer(text, add_special_tokens=False)["input_ids"]
    return ids[-(config.max_length - config.max_new_tokens) :]


def _until_eos(ids: list[int], tokenizer: Any) -> list[int]:
    """A generated answer up to and with its end-of-sequence token (padding after it dropped)."""
    eos = tokenizer.eos_token_id
    return ids[: ids.index(eos) + 1] if eos in ids else ids


def _rates(records: Sequence[JudgedCompletion | None], faster_than: float) -> dict[str, float]:
    """PerfRL's logging: the share of candidates that compile, pass, and are faster."""
    known = [r for r in records if r is not None]
    if not known:
        return {"compile_rate": 0.0, "pass_rate": 0.0, "optimized_rate": 0.0}
    return {
        "compile_rate": sum(r.verdict != Verdict.COMPILE_ERROR for r in known) / len(known),
        "pass_rate": sum(r.verdict == Verdict.ACCEPTED for r in known) / len(known),
        "optimized_rate": sum(r.verdict == Verdict.ACCEPTED and (r.speedup or 0) > faster_than for r in known)
        / len(known),
    }


def _order(count: int, seed: int) -> list[int]:
    order = list(range(count))
    random.Random(seed).shuffle(order)
    return order
