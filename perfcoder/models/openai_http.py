"""Any OpenAI-compatible endpoint (vLLM, TGI, llama.cpp server, Ollama, OpenAI): `openai:MODEL` with a
base URL; the key comes from an environment variable, never from the command line."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from perfcoder.errors import PerfcoderError
from perfcoder.models.base import Backend, Message, Sample, SamplingParams
from perfcoder.models.llamacpp import parse_choices, request_fields

DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_KEY_ENV = "OPENAI_API_KEY"
TIMEOUT_S = 600.0  # a long generation on a CPU server takes minutes


class _TooMany(Exception):
    """The server refused n > 1 samples per request."""


class OpenAIBackend(Backend):
    def __init__(self, model: str, base_url: str | None = None, key_env: str = DEFAULT_KEY_ENV) -> None:
        self.model = model
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
        proxies) get n requests with consecutive seeds instead."""
        if params.n > 1 and not self._one_at_a_time:
            try:
                return parse_choices(
                    self._post(path, {"model": self.model, **body, **request_fields(params)}), kind
                )
            except _TooMany:
                self._one_at_a_time = True
        samples: list[Sample] = []
        for i in range(params.n):
            single = request_fields(params.with_n(1, params.seed + i))
            samples += parse_choices(self._post(path, {"model": self.model, **body, **single}), kind)
        return samples

    def _post(self, path: str, body: dict[str, Any]) -> Any:
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
            raise PerfcoderError(f"{self.base_url}{path}: HTTP {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PerfcoderError(f"cannot reach {self.base_url}: {reason}") from None
        except json.JSONDecodeError:
            raise PerfcoderError(f"{self.base_url}{path}: the reply is not JSON") from None
