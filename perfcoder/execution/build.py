"""Turns a source into something runnable, inside the sandbox, once per (source, toolchain, flags).

C++ is compiled statically (byte-identical binaries, fast valgrind start-up) against a precompiled
`bits/stdc++.h` when that header is used; Python is syntax-checked so a broken program is a compile error.
Builds live in the runtime dir, where the sandbox uid can read them, and are mounted read-only at PROG_DIR.
"""

from __future__ import annotations

import functools
import logging
import os
import shlex
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from perfcoder.errors import PerfcoderError
from perfcoder.execution.languages import CPP, PYTHON, Language
from perfcoder.execution.limits import COMPILE_LIMITS
from perfcoder.execution.sandbox import BOX_DIR, Mount, Sandbox
from perfcoder.settings import setting
from perfcoder.store import digest

log = logging.getLogger(__name__)

PROG_DIR = "/tmp/prog"  # a build's directory inside the sandbox: a fixed path keeps counts repeatable
PCH_DIR = "/tmp/pch"  # the precompiled-header include dir inside the sandbox
BUILD_ENV = {"PATH": "/usr/bin:/bin", "TMPDIR": BOX_DIR, "HOME": BOX_DIR, "LANG": "C.UTF-8"}
MAX_LOG_CHARS = 20_000  # compiler output kept with a failed build
PYTHON_CHECK = """
import sys, traceback
try:
    compile(open(sys.argv[1], "rb").read(), "main.py", "exec")
except (SyntaxError, ValueError) as error:
    sys.stderr.write("".join(traceback.format_exception_only(error)))
    sys.exit(1)
"""


@dataclass(frozen=True)
class ToolchainConfig:
    """Compilers, interpreters and flags; every field is part of the cache keys."""

    cxx: str = setting("g++", "C++ compiler.")
    cxx_flags: str = setting("-O3 -std=c++17", "C++ compiler flags.")
    static: bool = setting(
        True, "Link C++ statically: repeatable counts, and 82 ms instead of 0.5 s of valgrind start-up."
    )
    python: str = setting(
        "/usr/bin/python3", "Python interpreter (outside /root, so the sandbox uid can run it)."
    )
    precompiled_header: bool = setting(True, "Precompile bits/stdc++.h once (C++ builds ~3x faster).")

    def flags_for(self, language: Language) -> str:
        return self.cxx_flags if language == CPP else ""


@dataclass(frozen=True)
class Build:
    ok: bool
    log: str
    directory: Path | None  # mounted at PROG_DIR when the program runs
    argv: tuple[str, ...]  # how to run it, with paths as seen inside the sandbox
    cached: bool


class Builder:
    """Builds sources in the sandbox and caches the results by content; safe to share between threads."""

    def __init__(self, sandbox: Sandbox, config: ToolchainConfig | None = None) -> None:
        self.sandbox = sandbox
        self.config = config or ToolchainConfig()
        self.cache = sandbox.root / "builds"
        self.cache.mkdir(exist_ok=True)
        self.cache.chmod(0o711)  # set, not asked of mkdir, which the umask masks
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def build(self, source: str, language: Language) -> Build:
        key = digest(language.name, source, toolchain_fingerprint(self.config, language))
        with self._lock(key):
            final = self.cache / key
            if (final / "build.log").exists():
                return self._load(final, language, cached=True)
            staging = Path(tempfile.mkdtemp(prefix="tmp-", dir=self.cache))
            self._compile(source, language, staging)
            try:
                staging.rename(final)
            except OSError:  # another process built the same key first
                shutil.rmtree(staging, ignore_errors=True)
            return self._load(final, language, cached=False)

    def _lock(self, key: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    def _load(self, directory: Path, language: Language, cached: bool) -> Build:
        log_text = (directory / "build.log").read_text(errors="replace")
        artifact = directory / artifact_name(language)
        if not artifact.exists():
            return Build(ok=False, log=log_text, directory=None, argv=(), cached=cached)
        inside = f"{PROG_DIR}/{artifact.name}"
        argv = (inside,) if language == CPP else (self.config.python, inside)
        return Build(ok=True, log=log_text, directory=directory, argv=argv, cached=cached)

    def _compile(self, source: str, language: Language, out_dir: Path) -> None:
        """Compile in a fresh sandbox work dir; on success copy the artifact to out_dir (world-readable)."""
        out_dir.chmod(0o755)
        with self.sandbox.workdir() as work:
            source_file = work / language.source_name
            source_file.write_text(source)
            source_file.chmod(0o644)  # the compiler runs as the sandbox's uid, whatever the umask
            argv, mounts = self._compile_command(source, language)
            result = self.sandbox.run(argv, work, COMPILE_LIMITS, env=BUILD_ENV, mounts=mounts)
            text = (result.stderr + result.stdout).decode(errors="replace")[-MAX_LOG_CHARS:]
            if result.timed_out:
                text += f"\ncompilation exceeded {COMPILE_LIMITS.time_s:.0f} s"
            produced = work / (artifact_name(language) if language == CPP else language.source_name)
            if result.ok and produced.exists():
                shutil.copyfile(produced, out_dir / artifact_name(language))
                (out_dir / artifact_name(language)).chmod(0o755)
        (out_dir / "build.log").write_text(text)

    def _compile_command(self, source: str, language: Language) -> tuple[list[str], list[Mount]]:
        src = f"{BOX_DIR}/{language.source_name}"
        if language == PYTHON:
            return [self.config.python, "-c", PYTHON_CHECK, src], []
        argv = [self.config.cxx, *shlex.split(self.config.cxx_flags)]
        mounts: list[Mount] = []
        pch = self._precompiled_header() if "bits/stdc++.h" in source else None
        if pch is not None:
            argv += ["-I", PCH_DIR]
            mounts.append(Mount(pch, PCH_DIR))
        if self.config.static:
            argv.append("-static")
        return [*argv, src, "-o", f"{BOX_DIR}/{artifact_name(language)}"], mounts

    def _precompiled_header(self) -> Path | None:
        """A `bits/stdc++.h.gch` made with the current flags (2-3 s saved per compile), or None."""
        if not self.config.precompiled_header:
            return None
        return precompiled_header(self.sandbox.root, self.config.cxx, self.config.cxx_flags)


def artifact_name(language: Language) -> str:
    return "main" if language == CPP else language.source_name


def toolchain_fingerprint(config: ToolchainConfig, language: Language) -> str:
    """What identifies the toolchain of a language: its binary and the flags perfcoder passes."""
    if language == CPP:
        return f"{tool_identity(config.cxx)}|{config.cxx_flags}|static={config.static}"
    return tool_identity(config.python)


@functools.cache
def tool_identity(tool: str) -> str:
    """A tool's resolved path, size and mtime: changes with any upgrade, costs no subprocess."""
    path = shutil.which(tool)
    if path is None:
        raise PerfcoderError(f"{tool} is not installed (run `make setup` or install it)")
    real = os.path.realpath(path)
    stat = os.stat(real)
    return f"{real}:{stat.st_size}:{stat.st_mtime_ns}"


_pch_lock = threading.Lock()


def precompiled_header(root: Path, cxx: str, flags: str) -> Path | None:
    """Build (once) the precompiled bits/stdc++.h for these flags; the header is trusted system code."""
    include_dir = root / "pch" / digest(tool_identity(cxx), flags)
    gch = include_dir / "bits" / "stdc++.h.gch"
    with _pch_lock:
        if gch.exists():
            return include_dir
        header = _find_stdcxx_header(cxx)
        if header is None:
            return None
        gch.parent.mkdir(parents=True, exist_ok=True)
        partial = gch.with_suffix(".tmp")
        done = subprocess.run(
            [cxx, *shlex.split(flags), "-x", "c++-header", str(header), "-o", str(partial)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            log.warning("precompiled header failed, compiling without it: %s", done.stderr.strip()[:500])
            return None
        for path in (root / "pch", include_dir, gch.parent):
            path.chmod(0o755)
        partial.chmod(0o644)
        partial.rename(gch)
    return include_dir


def _find_stdcxx_header(cxx: str) -> Path | None:
    done = subprocess.run(
        [cxx, "-x", "c++", "-E", "-H", "-"],
        input="#include <bits/stdc++.h>\n",
        capture_output=True,
        text=True,
    )
    for line in done.stderr.splitlines():
        if line.startswith(". ") and line.endswith("bits/stdc++.h"):
            return Path(line[2:])
    return None
