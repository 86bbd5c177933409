"""A local Hugging Face model directory through transformers (the path training will use): chat template
for instruct models, sampling with a seed, per-token log-probabilities. Heavy on CPU; import on use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from perfcoder.errors import PerfcoderError
from perfcoder.models.base import Backend, Message, Sample, SamplingParams
from perfcoder.store import digest


class TransformersBackend(Backend):
    def __init__(self, directory: Path) -> None:
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError:
            raise PerfcoderError("Hugging Face models need: pip install 'perfcoder[transformers]'") from None
        if not (directory / "config.json").is_file():
            raise PerfcoderError(f"{directory}: not a Hugging Face model directory (no config.json)")
        self.directory = directory
        self._torch = torch
        self.tokenizer: Any = AutoTokenizer.from_pretrained(directory)  # Any: transformers' unions are loose
        self.model: Any = AutoModelForCausalLM.from_pretrained(directory, dtype=torch.float32)
        self.model.train(False)  # inference mode: no dropout
        self.chat_model = self.tokenizer.chat_template is not None
        self._weights = digest((directory / "config.json").read_bytes(), *_weight_stamps(directory))

    @property
    def identity(self) -> dict[str, Any]:
        return {"backend": "transformers", "directory": str(self.directory), "weights": self._weights}

    def chat(self, messages: list[Message], params: SamplingParams) -> list[Sample]:
        if not self.chat_model:
            return self.complete("\n\n".join(m["content"] for m in messages) + "\n", params)
        prompt = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        return self.complete(prompt, params)

    def complete(self, prompt: str, params: SamplingParams) -> list[Sample]:
        torch = self._torch
        torch.manual_seed(params.seed)
        inputs = self.tokenizer(prompt, return_tensors="pt")
        greedy = params.temperature <= 0
        with torch.no_grad():
            out = self.model.generate(
                **inputs,
                do_sample=not greedy,
                temperature=None if greedy else params.temperature,
                top_p=None if greedy else params.top_p,
                top_k=params.top_k or None,
                max_new_tokens=params.max_tokens,
                num_return_sequences=params.n,
                output_scores=True,
                return_dict_in_generate=True,
                pad_token_id=self.tokenizer.eos_token_id,
            )
        scores = self.model.compute_transition_scores(out.sequences, out.scores, normalize_logits=True)
        start = inputs["input_ids"].shape[1]
        return [
            self._sample(sequence[start:], row, params)
            for sequence, row in zip(out.sequences, scores, strict=True)
        ]

    def _sample(self, tokens: Any, logprobs: Any, params: SamplingParams) -> Sample:
        eos = self.tokenizer.eos_token_id
        ids = [int(t) for t in tokens]
        length = ids.index(eos) if eos in ids else len(ids)
        text = self.tokenizer.decode(ids[:length], skip_special_tokens=True)
        finish = "stop" if length < len(ids) or length < params.max_tokens else "length"
        for stop in params.stop:
            if stop in text:
                text, finish = text[: text.index(stop)], "stop"
        values = [float(v) for v in logprobs[:length]] if params.logprobs else []
        return Sample(text, finish, values, length)


def _weight_stamps(directory: Path) -> list[bytes]:
    """Names and sizes of the weight files: a cheap identity that changes when the weights do."""
    files = sorted(p for p in directory.iterdir() if p.suffix in (".safetensors", ".bin"))
    return [f"{p.name}:{p.stat().st_size}".encode() for p in files]
