"""Any OpenAI-compatible endpoint (vLLM, TGI, llama.cpp server, Ollama, OpenAI): `openai:MODEL` with a
base URL; the key comes from an environment variable, never from the command line. Requests go out
`parallel` at a time (callers sample several tasks at once), at most `requests_per_minute`, and a busy
or failing server (429, 5xx, a dropped connection) is retried with exponential backoff, honouring its
Retry-After."""

from __future__ import annotations

import json
import os
import random
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from perfcoder.errors import PerfcoderError
from perfcoder.models.base import Backend, Message, Sample, SamplingParams
from perfcoder.models.llamacpp import parse_choices, request_fields
from perfcoder.settings import setting

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_KEY_ENV = "OPENAI_API_KEY"
TIMEOUT_S = 600.0  # a long generation on a CPU server takes minutes
RETRIED_STATUS = frozenset({408, 429, 500, 502, 503, 504})  # the server is busy or briefly down


@dataclass(frozen=True)
class HttpPolicy:
    """How hard perfcoder leans on a server."""

    parallel: int = setting(4, "Requests in flight at once.")
    retries: int = setting(5, "Retries of a request the server refused as busy (429, 5xx) or dropped.")
    backoff_s: float = setting(1.0, "First wait before a retry; doubled each time, jittered.")
    max_backoff_s: float = setting(60.0, "Longest wait between retries.")
    requests_per_minute: float = setting(0.0, "Rate limit of request starts (0: none).")

    def __post_init__(self) -> None:
        if self.parallel < 1 or self.retries < 0 or self.backoff_s < 0 or self.requests_per_minute < 0:
            raise PerfcoderError("need parallel >= 1, retries >= 0, backoff_s >= 0, requests_per_minute >= 0")

    def wait_before(self, attempt: int, retry_after: str | None) -> float:
        """Seconds to wait before retry number `attempt` (0-based): the server's Retry-After when it
        gives seconds, else exponential backoff with up to 10% jitter (clients that failed together
        should not retry together)."""
        if retry_after is not None and retry_after.strip().isdigit():
            return min(float(retry_after), self.max_backoff_s)
        delay = min(self.backoff_s * 2.0**attempt, self.max_backoff_s)
        return delay + random.uniform(0, delay / 10)


class RateLimit:
    """Request starts spaced at least 60 / rpm seconds apart, across all threads."""

    def __init__(self, requests_per_minute: float) -> None:
        self.interval = 60.0 / requests_per_minute if requests_per_minute > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        time.sleep(start - now)


class _Retry(Exception):
    """A failure worth retrying, with the server's Retry-After if it sent one."""

    def __init__(self, message: str, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class _TooMany(Exception):
    """The server refused n > 1 samples per request."""


class OpenAIBackend(Backend):
    def __init__(
        self,
        model: str,
        base_url: str | None = None,
        key_env: str = DEFAULT_KEY_ENV,
        policy: HttpPolicy | None = None,
    ) -> None:
        self.model = model
        self.policy = policy or HttpPolicy()
        self.concurrency = self.policy.parallel
        self._rate = RateLimit(self.policy.requests_per_minute)
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        if not self.base_url.endswith("/v1"):
            self.base_url += "/v1"
        self.key_env = key_env
        self._key = os.environ.get(key_env, "")
        self._one_at_a_time = False

    @property
    def identity(self) -> dict[str, Any]:
        return {"backend": "openai", "base_url": self.base_url, "model": self.model}

    def chat(self, messages: list[Message], params: SamplingParams) -> list[Sample]:
        return self._sample("/chat/completions", {"messages": messages}, params, "chat")

    def complete(self, prompt: str, params: SamplingParams) -> list[Sample]:
        return self._sample("/completions", {"prompt": prompt}, params, "completion")

    def _sample(self, path: str, body: dict[str, Any], params: SamplingParams, kind: str) -> list[Sample]:
        """n samples in one request; servers that take one at a time (llama.cpp with one slot, some
        proxies) get n requests with consecutive seeds instead, `parallel` at a time."""
        if params.n > 1 and not self._one_at_a_time:
            try:
                return parse_choices(
                    self._post(path, {"model": self.model, **body, **request_fields(params)}), kind
                )
            except _TooMany:
                self._one_at_a_time = True

        def one(i: int) -> list[Sample]:
            single = request_fields(params.with_n(1, params.seed + i))
            return parse_choices(self._post(path, {"model": self.model, **body, **single}), kind)

        with ThreadPoolExecutor(max_workers=self.policy.parallel) as pool:
            return [sample for samples in pool.map(one, range(params.n)) for sample in samples]

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        """One request, retried while the server is busy or unreachable."""
        for attempt in range(self.policy.retries + 1):
            self._rate.acquire()
            try:
                return self._post_once(path, body)
            except _Retry as failure:
                if attempt == self.policy.retries:
                    tries = self.policy.retries + 1
                    raise PerfcoderError(f"{failure} (gave up after {tries} attempts)") from None
                time.sleep(self.policy.wait_before(attempt, failure.retry_after))
        raise AssertionError("unreachable")

    def _post_once(self, path: str, body: dict[str, Any]) -> Any:
        headers = {"Content-Type": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        request = urllib.request.Request(
            self.base_url + path, data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            if exc.code == 400 and "'n'" in detail:
                raise _TooMany from None
            if exc.code in (401, 403):
                hint = f"set a valid key in ${self.key_env}" if self._key else f"no key in ${self.key_env}"
                raise PerfcoderError(f"{self.base_url} rejected the request ({exc.code}): {hint}") from None
            message = f"{self.base_url}{path}: HTTP {exc.code}: {detail}"
            if exc.code in RETRIED_STATUS:
                raise _Retry(message, exc.headers.get("Retry-After")) from None
            raise PerfcoderError(message) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise _Retry(f"cannot reach {self.base_url}: {reason}") from None
        except json.JSONDecodeError:
            raise PerfcoderError(f"{self.base_url}{path}: the reply is not JSON") from None
