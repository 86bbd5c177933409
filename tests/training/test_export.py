"""A trained model exported to GGUF with llama.cpp's own converter (fetched from PyPI's llama-cpp-python
source archive) loads in the llama.cpp engine and generates."""

from __future__ import annotations

from pathlib import Path

import pytest

from perfcoder.errors import PerfcoderError
from perfcoder.training.export import export_gguf, find_converter

pytest.importorskip("trl")


@pytest.mark.slow  # a whole end-to-end run: make test-all
def test_a_saved_model_exported_to_gguf_runs_on_llama_cpp(tmp_path: Path) -> None:
    from perfcoder.models.base import SamplingParams
    from perfcoder.models.registry import ModelConfig, as_backend
    from perfcoder.training.policy import PolicyConfig, load_policy

    saved = load_policy(PolicyConfig(model="tiny:smollm2-135m")).save(tmp_path / "final")
    written = export_gguf(saved, tmp_path / "model.gguf", tools=tmp_path / "tools")
    assert written.read_bytes()[:4] == b"GGUF"
    with as_backend(str(written), ModelConfig(threads=1)) as backend:
        (sample,) = backend.chat([{"role": "user", "content": "hi"}], SamplingParams(n=1, max_tokens=4))
    assert sample.completion_tokens > 0
    assert (
        find_converter(tools=tmp_path / "tools")
        == tmp_path / "tools" / "llama-cpp-python-0.3.36" / "convert_hf_to_gguf.py"
    )


def test_what_is_not_a_model_or_a_converter_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PerfcoderError, match="not a Hugging Face model directory"):
        export_gguf(tmp_path, tmp_path / "x.gguf")
    with pytest.raises(PerfcoderError, match=r"no convert_hf_to_gguf\.py at"):
        find_converter(tmp_path)
    with pytest.raises(PerfcoderError, match="out_type must be one of"):
        export_gguf(tmp_path, tmp_path / "x.gguf", out_type="q4")
