"""Datasets from their public homes: `https://` (or `file://`) URLs and Hugging Face dataset files
(`hf://datasets/OWNER/NAME/PATH[@REVISION]`), downloaded once into the cache and then read like local
files. A plain path is used as it is."""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from perfcoder.errors import PerfcoderError
from perfcoder.store import default_cache_dir, digest

URL_SCHEMES = ("http://", "https://", "file://")
HF_PREFIX = "hf://datasets/"
DOWNLOAD_TIMEOUT_S = 60.0


def resolve(spec: str | Path, cache_dir: Path | None = None) -> Path:
    """A local file for a dataset named by path, URL or Hugging Face address (downloaded on first use)."""
    text = str(spec)
    downloads = (cache_dir or default_cache_dir()) / "downloads"
    if text.startswith(URL_SCHEMES):
        return _download_url(text, downloads)
    if text.startswith(HF_PREFIX):
        return _download_hf(text[len(HF_PREFIX) :], downloads)
    return Path(text)


def _download_url(url: str, downloads: Path) -> Path:
    name = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or "download"
    target = downloads / f"{digest(url)[:16]}-{name}"
    if target.is_file():
        return target
    downloads.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=downloads, prefix=".partial-")
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as body:
            shutil.copyfileobj(body, out)
        os.replace(partial, target)  # atomic: an interrupted download never looks complete
    except (urllib.error.URLError, OSError, ValueError) as exc:
        Path(partial).unlink(missing_ok=True)
        raise PerfcoderError(f"cannot download {url}: {exc}") from None
    return target


def _download_hf(address: str, downloads: Path) -> Path:
    path, _, revision = address.partition("@")
    parts = path.split("/", 2)
    if len(parts) != 3 or not all(parts):
        raise PerfcoderError(f"hf://datasets/{address}: expected hf://datasets/OWNER/NAME/PATH[@REVISION]")
    try:
        from huggingface_hub import hf_hub_download
    except ImportError:
        raise PerfcoderError("hf:// datasets need huggingface_hub (pip install huggingface_hub)") from None
    try:
        local = hf_hub_download(
            repo_id=f"{parts[0]}/{parts[1]}",
            filename=parts[2],
            repo_type="dataset",
            revision=revision or None,
            cache_dir=downloads / "hf",
        )
    except Exception as exc:  # the hub raises many types (HTTP, offline, missing file); all mean "not here"
        raise PerfcoderError(f"cannot fetch hf://datasets/{address}: {exc}") from None
    return Path(local)
