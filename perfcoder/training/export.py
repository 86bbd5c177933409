"""A trained model (a Hugging Face directory) as a GGUF file, so the default engine (llama.cpp) runs it:
`perfcoder optimize --model OUT.gguf`. The conversion is llama.cpp's own `convert_hf_to_gguf.py`; it is
not on PyPI as a package, but llama-cpp-python's source archive on PyPI carries it, so on first use the
pinned archive is downloaded with pip and the converter (with its `conversion` and `gguf-py` modules)
is kept in the cache. A llama.cpp checkout can be given instead (`converter=` or
$PERFCODER_GGUF_CONVERTER)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from perfcoder.errors import PerfcoderError
from perfcoder.models.llamacpp import gguf_problem
from perfcoder.store import default_cache_dir

SOURCE_PACKAGE = "llama-cpp-python==0.3.36"  # its sdist vendors llama.cpp with the converter
CONVERTER = "convert_hf_to_gguf.py"
CONVERTER_PARTS = (CONVERTER, "conversion/", "gguf-py/")  # what the script imports, beside it
CONVERTER_ENV = "PERFCODER_GGUF_CONVERTER"
OUT_TYPES = ("f16", "bf16", "f32", "q8_0")
DOWNLOAD_TIMEOUT_S = 900
CONVERT_TIMEOUT_S = 3600


def export_gguf(
    model_dir: Path,
    output: Path,
    out_type: str = "f16",
    converter: Path | None = None,
    tools: Path | None = None,
) -> Path:
    """Convert `model_dir` to the GGUF file `output` (`out_type` as llama.cpp names it); the file."""
    if out_type not in OUT_TYPES:
        raise PerfcoderError(f"out_type must be one of {', '.join(OUT_TYPES)}, not {out_type!r}")
    if not (model_dir / "config.json").is_file():
        raise PerfcoderError(f"{model_dir} is not a Hugging Face model directory (no config.json)")
    script = find_converter(converter, tools)
    output.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(script), str(model_dir), "--outfile", str(output), "--outtype", out_type]
    done = subprocess.run(command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT_S, check=False)
    if done.returncode != 0 or gguf_problem(output) is not None:
        raise PerfcoderError(f"GGUF conversion of {model_dir} failed:\n{done.stderr.strip()[-2000:]}")
    return output


def find_converter(given: Path | None = None, tools: Path | None = None) -> Path:
    """The converter script: the one given, $PERFCODER_GGUF_CONVERTER, or the cached copy (fetched once)."""
    named = given or (Path(os.environ[CONVERTER_ENV]) if os.environ.get(CONVERTER_ENV) else None)
    if named is not None:
        script = named / CONVERTER if named.is_dir() else named
        if not script.is_file():
            raise PerfcoderError(f"no {CONVERTER} at {named}")
        return script
    home = (tools or default_cache_dir() / "tools") / SOURCE_PACKAGE.replace("==", "-")
    if not (home / CONVERTER).is_file():
        _fetch_converter(home)
    return home / CONVERTER


def _fetch_converter(home: Path) -> None:
    """Download the pinned source archive with pip and keep only the converter's parts."""
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "pip", "download", SOURCE_PACKAGE, "--no-binary", ":all:"]
        command += ["--no-deps", "-q", "-d", scratch]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=DOWNLOAD_TIMEOUT_S, check=False
        )
        archives = list(Path(scratch).glob("*.tar.gz"))
        if done.returncode != 0 or not archives:
            raise PerfcoderError(
                f"could not download {SOURCE_PACKAGE} for its GGUF converter (give converter= or "
                f"${CONVERTER_ENV}):\n{done.stderr.strip()[-1000:]}"
            )
        staging = Path(scratch) / "converter"
        with tarfile.open(archives[0]) as archive:
            for member in archive.getmembers():
                inside = member.name.partition("/vendor/llama.cpp/")[2]
                if inside and inside.startswith(CONVERTER_PARTS) and (member.isfile() or member.isdir()):
                    member.name = inside
                    archive.extract(member, staging, filter="data")
        if not (staging / CONVERTER).is_file():
            raise PerfcoderError(f"{archives[0].name} has no vendor/llama.cpp/{CONVERTER}")
        home.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(home, ignore_errors=True)
        shutil.move(staging, home)
