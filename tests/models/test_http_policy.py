"""How the HTTP backend treats a server: retries with backoff when it is busy, giving up with a clear
error, requests `parallel` at a time, a rate limit, and several tasks sampled at once by `generate`.
The server is llama.cpp's real OpenAI-compatible one; between it and perfcoder sits a small proxy that
plays the unreliable network and counts what arrives (how many requests, how many at once, when)."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from perfcoder.errors import PerfcoderError
from perfcoder.execution.engine import ExecutionConfig
from perfcoder.jobs.generate import GenerateConfig, generate
from perfcoder.models.base import SamplingParams
from perfcoder.models.openai_http import HttpPolicy, OpenAIBackend
from perfcoder.models.registry import ModelConfig
from perfcoder.models.weights import BUNDLED, model_file
from tests.support.paths import DATASETS

ASK = [{"role": "user", "content": "Say hi."}]
FAST_RETRY = {"backoff_s": 0.01, "max_backoff_s": 0.05}


@dataclass
class Traffic:
    """What the proxy saw, and the failures it is told to answer with first."""

    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (status, headers), in turn
    always: int = 0  # answer every request with this status
    refuse_n: bool = False  # a proxy that takes one sample per request (n > 1 is a 400)
    starts: list[float] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(model_file(BUNDLED["smollm2-135m"]))
    params.n_ctx = 2048
    params.n_parallel = 4
    params.cpuparams.n_threads = 1
    params.verbosity = -1
    running = xllamacpp.Server(params)
    yield running.listening_address
    del running


@pytest.fixture
def proxy(server: str) -> Iterator[tuple[str, Traffic]]:
    traffic = Traffic()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with traffic.lock:
                traffic.starts.append(time.monotonic())
                traffic.in_flight += 1
                traffic.most_in_flight = max(traffic.most_in_flight, traffic.in_flight)
                failure = traffic.failures.pop(0) if traffic.failures else None
            try:
                status, data, headers = self._answer(body, failure)
            finally:  # before the reply: once the client has it, it may send its next request
                with traffic.lock:
                    traffic.in_flight -= 1
            self._reply(status, data, headers)

        def _answer(
            self, body: bytes, failure: tuple[int, dict[str, str]] | None
        ) -> tuple[int, bytes, dict[str, str]]:
            if failure is None and traffic.always:
                failure = (traffic.always, {})
            if failure is None and traffic.refuse_n and json.loads(body).get("n", 1) > 1:
                failure = (400, {"X-Body": "'n' must be 1"})
            if failure is not None:
                return failure[0], failure[1].get("X-Body", "busy").encode(), failure[1]
            forwarded = urllib.request.Request(
                server.rstrip("/") + self.path, data=body, headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(forwarded, timeout=120) as answer:
                return 200, answer.read(), {}

        def _reply(self, status: int, data: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            """Quiet."""

    listening = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=listening.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listening.server_address[1]}", traffic
    listening.shutdown()
    listening.server_close()


def backend(url: str, **policy: Any) -> OpenAIBackend:
    return OpenAIBackend("smollm2", base_url=url, policy=HttpPolicy(**{**FAST_RETRY, **policy}))


def test_a_busy_server_is_retried_until_it_answers(proxy: tuple[str, Traffic]) -> None:
    url, traffic = proxy
    traffic.failures = [(429, {"Retry-After": "0"}), (503, {}), (502, {})]
    samples = backend(url, retries=3).chat(ASK, SamplingParams(n=1, max_tokens=8))
    assert len(samples) == 1 and samples[0].text and len(traffic.starts) == 4


def test_a_server_that_stays_down_is_given_up_on_with_the_reason(proxy: tuple[str, Traffic]) -> None:
    url, traffic = proxy
    traffic.always = 503
    with pytest.raises(PerfcoderError, match=r"HTTP 503: busy \(gave up after 3 attempts\)"):
        backend(url, retries=2).chat(ASK, SamplingParams(n=1, max_tokens=8))
    assert len(traffic.starts) == 3


def test_a_request_the_server_rejects_outright_is_not_retried(proxy: tuple[str, Traffic]) -> None:
    url, traffic = proxy
    traffic.failures = [(422, {})]
    with pytest.raises(PerfcoderError, match="HTTP 422"):
        backend(url, retries=3).chat(ASK, SamplingParams(n=1, max_tokens=8))
    assert len(traffic.starts) == 1


@pytest.mark.parametrize("parallel", [1, 3])
def test_samples_taken_one_per_request_go_out_parallel_at_a_time(
    proxy: tuple[str, Traffic], parallel: int
) -> None:
    url, traffic = proxy
    traffic.refuse_n = True
    samples = backend(url, parallel=parallel).chat(ASK, SamplingParams(n=6, max_tokens=16, seed=1))
    assert len(samples) == 6 and len(traffic.starts) == 7  # the refused n=6 request, then one per sample
    assert traffic.most_in_flight == parallel


def test_the_rate_limit_spaces_request_starts(proxy: tuple[str, Traffic]) -> None:
    url, traffic = proxy
    traffic.refuse_n = True
    backend(url, parallel=4, requests_per_minute=300).chat(ASK, SamplingParams(n=3, max_tokens=4))
    gaps = [later - earlier for earlier, later in zip(traffic.starts[1:], traffic.starts[2:], strict=False)]
    # sent 60 / 300 = 0.2 s apart, not 4 at once; arrivals jitter on a loaded machine, so half of that
    assert len(gaps) == 2 and all(gap >= 0.1 for gap in gaps)


def test_generate_samples_several_tasks_at_once_and_writes_them_in_order(
    proxy: tuple[str, Traffic], tmp_path: Path
) -> None:
    url, traffic = proxy
    engine = ModelConfig(model="openai:smollm2", base_url=url, parallel=3, cache=False, cache_dir=tmp_path)
    config = GenerateConfig(
        sampling=SamplingParams(temperature=0.8, max_tokens=24), engine=engine,
        execution=ExecutionConfig(cache_dir=tmp_path),
    )  # fmt: skip
    out = tmp_path / "samples.jsonl"
    run = generate(str(DATASETS / "tasks-humaneval.jsonl"), out, model=engine.model, config=config)
    ids = [json.loads(line)["task_id"] for line in out.read_text().splitlines()]
    assert run.samples_written == run.tasks >= 3
    expected = [json.loads(line)["task_id"] for line in (DATASETS / "tasks-humaneval.jsonl").open()]
    assert ids == expected[: len(ids)] and traffic.most_in_flight == 3
