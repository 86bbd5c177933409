"""Runs one untrusted command under bubblewrap as an unprivileged uid, with rlimits and a wall-clock timeout.

With bubblewrap: no network, a read-only view of the host with private directories hidden, one fresh
writable work dir, an own PID namespace (every process of the run dies with it) and an unprivileged uid.
Without it (the rlimit-only fallback, announced by a warning) only the rlimits, the uid and the
process-tree kill hold.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import hashlib
import json
import logging
import math
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

from perfcoder.errors import PerfcoderError
from perfcoder.execution.limits import Limits
from perfcoder.settings import setting

log = logging.getLogger(__name__)

# Untrusted code never runs as root (RLIMIT_NPROC is ignored for root). Each concurrent run gets its own
# uid from this range, because RLIMIT_NPROC counts all processes of a uid: with one shared uid, a fork
# bomb would make the runs beside it fail to fork.
FIRST_SANDBOX_UID = 1_500_000_000
SANDBOX_UIDS = 64
UID_POOLS = 1024  # processes pick one of this many disjoint pools by pid, so they rarely share uids
INSIDE_UID = 65534  # what every program sees as its uid and gid: counts depend on it (Python's start-up)
BOX_DIR = "/tmp/box"  # the work dir inside the sandbox; a fixed path keeps measured runs repeatable
HIDDEN_DIRS = ("/root", "/home", "/tmp", "/var/tmp", "/run", "/srv", "/mnt", "/media")
KILL_GRACE_S = 5.0  # how long a killed run may take to vanish before its group is killed outright
HIDDEN_DIR_BYTES = 4096  # the empty tmpfs laid over each hidden dir
MARKER_VAR = "PERFCODER_RUN"  # lets the rlimit-only fallback find processes that escaped their group
WAITER_INSIDE = "/tmp/waiter"  # where the waiter binary is mounted inside the sandbox
PROJECT_INSIDE = "/tmp/project"  # where SandboxConfig.project is shown (read-only); a fixed path, as BOX_DIR
WAITER_SOURCE = Path(__file__).with_name("waiter.c")
# A repeatable run's /dev/urandom and /dev/random: the same bytes every time (a sha256 chain from a fixed
# seed), so that a program or interpreter that seeds itself from them draws the same seed in every run
ENTROPY_SEED = b"perfcoder entropy v1"
ENTROPY_BYTES = 1 << 20
ENTROPY_DEVICES = ("/dev/urandom", "/dev/random")

Isolation = Literal["auto", "bwrap", "rlimit"]


@dataclass(frozen=True)
class SandboxConfig:
    """How untrusted code is isolated: `auto` uses bubblewrap where it works, else warns and falls back."""

    isolation: Isolation = setting(
        "auto", "auto (bubblewrap where it works, else a warning and rlimits), bwrap or rlimit."
    )
    first_uid: int = setting(FIRST_SANDBOX_UID, "First of the unprivileged uids runs are given.")
    uids: int = setting(SANDBOX_UIDS, "Uids in the pool: at most this many runs at once.")
    hidden_dirs: tuple[str, ...] = setting(HIDDEN_DIRS, "Directories replaced by an empty tmpfs inside.")
    project: str | None = setting(
        None, "A directory every run sees read-only at /tmp/project (a function's project; needs bwrap)."
    )


@dataclass(frozen=True)
class Mount:
    """A host directory made visible inside the sandbox (read-only unless writable)."""

    host: Path
    inside: str
    writable: bool = False


@dataclass
class ProcessResult:
    """What one sandboxed process did: exit status, resources used, captured (capped) output."""

    exit_code: int
    signal: int | None
    timed_out: bool
    wall_s: float
    cpu_s: float
    max_rss_kb: int
    stdout: bytes
    stderr: bytes
    output_exceeded: bool
    counted: int | None = None  # occurrences of the requested prefix on the counted fd
    counted_by: dict[int, int] = field(default_factory=dict)  # by the number after the prefix (a pid)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and not self.output_exceeded


def runtime_dir() -> Path:
    """A per-user directory the sandbox uid can traverse (unlike ~/.cache of root) for work dirs."""
    path = Path(tempfile.gettempdir()) / f"perfcoder-{os.geteuid()}"
    path.mkdir(mode=0o711, exist_ok=True)
    if path.stat().st_uid != os.geteuid():
        raise PerfcoderError(f"{path} belongs to another user; set TMPDIR to a private directory")
    path.chmod(0o711)
    return path


@functools.cache
def bwrap_problem(uid: int) -> str | None:
    """Why bubblewrap cannot sandbox here (None when it can): tried once per process."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    probe = ["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"]
    try:
        user = _sandbox_user(uid)
        groups: list[int] | None = None if user is None else []
        done = subprocess.run(
            probe, capture_output=True, timeout=30, user=user, group=user, extra_groups=groups
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap failed to start: {exc}"
    if done.returncode != 0:
        return f"bubblewrap cannot create namespaces here: {done.stderr.decode(errors='replace').strip()}"
    return None


def uid_pool(config: SandboxConfig) -> list[int]:
    """This process's uids: a block of `config.uids` chosen by pid, so concurrent perfcoder processes
    (a benchmark beside a test run) rarely share one."""
    first = config.first_uid + (os.getpid() % UID_POOLS) * config.uids
    return list(range(first, first + config.uids))


_pools: dict[tuple[int, int], tuple[collections.deque[int], threading.Condition]] = {}
_pools_lock = threading.Lock()


def _shared_pool(config: SandboxConfig) -> tuple[collections.deque[int], threading.Condition]:
    """One rotating pool per process (not per Sandbox): a uid comes back only after all others were used,
    so the zombies of a killed run (counted by RLIMIT_NPROC until reaped) do not hit the next one."""
    with _pools_lock:
        key = (config.first_uid, config.uids)
        if key not in _pools:
            _pools[key] = (collections.deque(uid_pool(config)), threading.Condition())
        return _pools[key]


def _sandbox_user(uid: int) -> int | None:
    """The uid (and gid) a root parent's child switches to; None (no switch) when not root."""
    return uid if os.geteuid() == 0 else None


class Sandbox:
    """Runs commands of untrusted programs; one instance is shared by all worker threads."""

    def __init__(self, config: SandboxConfig | None = None) -> None:
        self.config = config or SandboxConfig()
        self.isolation = self._resolve_isolation()
        if self.config.project is not None and self.isolation != "bwrap":
            raise PerfcoderError("sandbox: a project directory is shown to programs only under bubblewrap")
        self.root = runtime_dir()
        self.waiter = build_waiter(self.root)
        self.entropy = fixed_entropy(self.root)
        self._uids, self._uids_free = _shared_pool(self.config)

    def _resolve_isolation(self) -> Literal["bwrap", "rlimit"]:
        if self.config.isolation == "rlimit":
            log.warning("sandbox: rlimit-only isolation requested: no file system or network isolation")
            return "rlimit"
        problem = bwrap_problem(self.config.first_uid)
        if problem is None:
            return "bwrap"
        if self.config.isolation == "bwrap":
            raise PerfcoderError(f"sandbox: {problem}")
        log.warning(
            "sandbox: %s; falling back to rlimits only (no file system or network isolation; measured "
            "programs that draw entropy, numpy's import among them, vary by ~0.002%% between runs)",
            problem,
        )
        return "rlimit"

    @contextlib.contextmanager
    def workdir(self) -> Iterator[Path]:
        """A fresh empty work dir (given to the run's uid when it runs), removed afterwards."""
        base = self.root / "work"
        base.mkdir(exist_ok=True)
        base.chmod(0o711)  # set, not asked of mkdir: the umask masks that (077 locked every run out)
        path = Path(tempfile.mkdtemp(prefix="run-", dir=base))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    @contextlib.contextmanager
    def _uid(self) -> Iterator[int]:
        """A uid no other run of this sandbox is using right now."""
        with self._uids_free:
            while not self._uids:
                self._uids_free.wait()
            uid = self._uids.popleft()  # least recently used: its dead processes had time to be reaped
        try:
            yield uid
        finally:
            with self._uids_free:
                self._uids.append(uid)
                self._uids_free.notify()

    def run(
        self,
        argv: Sequence[str],
        workdir: Path,
        limits: Limits,
        *,
        stdin: Path | None = None,
        env: Mapping[str, str] | None = None,
        mounts: Sequence[Mount] = (),
        count: tuple[int, str] | None = None,
        repeatable: bool = False,
    ) -> ProcessResult:
        """Run argv (paths as seen inside: work dir at BOX_DIR) and wait, killing it at the time limit.

        With count=(fd, prefix) the program gets a pipe as fd and the result counts prefix on it.
        `repeatable` (measured runs) takes away what differs between two runs of the same program:
        address-space randomisation and entropy (getrandom fails, /dev/urandom is a fixed file; the
        rlimit-only fallback cannot replace the device, so its runs still draw real entropy)."""
        env = dict(env or {})
        with (
            self._uid() as uid,
            self._capture_files() as (out_path, err_path, report_path),
            open(report_path, "w+b") as report,
            open(report_path.with_name("status"), "w+b") as status,
        ):
            counting = ["--count", str(count[0]), count[1]] if count else []
            fixed = ["--repeatable"] if repeatable else []
            waited = [WAITER_INSIDE, str(report.fileno()), *fixed, *counting, *argv]
            mounts = [*mounts, Mount(self.waiter, WAITER_INSIDE)]
            if self.config.project is not None:
                mounts.append(Mount(Path(self.config.project), PROJECT_INSIDE))
            if repeatable:
                mounts += [Mount(self.entropy, device) for device in ENTROPY_DEVICES]
            if self.isolation == "bwrap":
                command = self._bwrap_argv(waited, workdir, env, mounts, status.fileno())
                popen_env = {"PATH": "/usr/bin:/bin"}
            else:
                command, popen_env = (
                    self._translate(waited, workdir, mounts),
                    self._translate_env(env, workdir, mounts),
                )
                popen_env[MARKER_VAR] = marker = uuid.uuid4().hex
            command = [*_prlimit_argv(limits), *command]
            if os.geteuid() == 0:
                os.chown(workdir, uid, uid)
            result = self._spawn_and_wait(
                command, popen_env, workdir, stdin, (out_path, err_path), (report, status), limits, uid
            )
        if self.isolation == "rlimit":
            _kill_marked(marker)
        return result

    def _bwrap_argv(
        self,
        argv: Sequence[str],
        workdir: Path,
        env: Mapping[str, str],
        mounts: Sequence[Mount],
        status_fd: int,
    ) -> list[str]:
        cmd = [
            "bwrap",
            "--json-status-fd",
            str(status_fd),
            "--ro-bind",
            "/",
            "/",
            "--dev",
            "/dev",
            "--proc",
            "/proc",
        ]
        for hidden in self.config.hidden_dirs:
            if os.path.isdir(hidden):
                cmd += ["--size", str(HIDDEN_DIR_BYTES), "--tmpfs", hidden]
        cmd += ["--bind", str(workdir), BOX_DIR]
        for mount in mounts:
            cmd += ["--bind" if mount.writable else "--ro-bind", str(mount.host), mount.inside]
        for hidden in self.config.hidden_dirs:
            if os.path.isdir(hidden):
                cmd += ["--remount-ro", hidden]
        cmd += ["--unshare-all", "--uid", str(INSIDE_UID), "--gid", str(INSIDE_UID)]
        cmd += ["--die-with-parent", "--new-session", "--chdir", BOX_DIR, "--clearenv"]
        for key in sorted(env):
            cmd += ["--setenv", key, env[key]]
        return [*cmd, "--", *argv]

    def _translate(self, argv: Sequence[str], workdir: Path, mounts: Sequence[Mount]) -> list[str]:
        """Map inside paths to host paths for the rlimit-only fallback, which has no mounts."""
        pairs = [(BOX_DIR, str(workdir)), *((m.inside, str(m.host)) for m in mounts)]

        def host(path: str) -> str:
            for inside, outside in pairs:
                if path == inside or path.startswith(inside + "/"):
                    return outside + path[len(inside) :]
            return path

        def translate(arg: str) -> str:
            option, equals, value = arg.partition("=")
            return f"{option}={host(value)}" if arg.startswith("--") and equals else host(arg)

        return [translate(arg) for arg in argv]

    def _translate_env(
        self, env: Mapping[str, str], workdir: Path, mounts: Sequence[Mount]
    ) -> dict[str, str]:
        keys = list(env)
        return dict(zip(keys, self._translate([env[k] for k in keys], workdir, mounts), strict=True))

    @contextlib.contextmanager
    def _capture_files(self) -> Iterator[tuple[Path, Path, Path]]:
        """Output goes to files, not pipes: a surviving grandchild holding a pipe would block the reader."""
        io_dir = Path(tempfile.mkdtemp(prefix="io-", dir=self.root))
        try:
            yield io_dir / "stdout", io_dir / "stderr", io_dir / "report"
        finally:
            shutil.rmtree(io_dir, ignore_errors=True)

    def _spawn_and_wait(
        self,
        command: list[str],
        env: dict[str, str],
        workdir: Path,
        stdin: Path | None,
        outputs: tuple[Path, Path],
        reports: tuple[BinaryIO, BinaryIO],
        limits: Limits,
        uid: int,
    ) -> ProcessResult:
        out_path, err_path = outputs
        report, status_file = reports
        with contextlib.ExitStack() as stack:
            stdin_file = stack.enter_context(open(stdin, "rb")) if stdin else subprocess.DEVNULL
            out = stack.enter_context(open(out_path, "wb"))
            err = stack.enter_context(open(err_path, "wb"))
            start = time.monotonic()
            proc = subprocess.Popen(
                command,
                stdin=stdin_file,
                stdout=out,
                stderr=err,
                env=env,
                cwd=workdir,
                start_new_session=True,
                pass_fds=(report.fileno(), status_file.fileno()),
                user=(user := _sandbox_user(uid)),
                group=user,
                extra_groups=None if user is None else [],
            )
            timed_out = _wait_or_kill(proc.pid, limits.time_s, lambda: _kill_run(proc.pid, status_file))
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.monotonic() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
        _kill_group(proc.pid)
        _await_namespace_end(status_file)
        exit_code, sig = self._exit_status(status)
        cpu, max_rss = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
        waited = _read_report(report)
        counted, counted_by = None, {}
        if waited is not None:  # the program's own status and usage, without the sandbox's
            exit_code, sig = waited["exit_code"], waited["signal"] or None
            cpu, max_rss = waited["cpu_s"], waited["max_rss_kb"]
            counted = waited["counted"] if waited["counted"] >= 0 else None
            counted_by = {int(key): value for key, value in waited["counted_by"].items()}
        cpu_killed = sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu >= math.ceil(limits.time_s))
        cap = limits.output_bytes
        stdout, stderr = _read_capped(out_path, cap), _read_capped(err_path, cap)
        return ProcessResult(
            exit_code=exit_code,
            signal=sig,
            timed_out=timed_out or cpu_killed,
            wall_s=wall,
            cpu_s=cpu,
            max_rss_kb=max_rss,
            stdout=stdout[:cap],
            stderr=stderr[:cap],
            output_exceeded=len(stdout) >= cap or len(stderr) >= cap or sig == signal.SIGXFSZ,
            counted=counted,
            counted_by=counted_by,
        )

    def _exit_status(self, status: int) -> tuple[int, int | None]:
        """bwrap reports a child killed by signal N as exit code 128+N; the fallback sees the signal."""
        code = os.waitstatus_to_exitcode(status)
        if code < 0:
            return 128 - code, -code
        if self.isolation == "bwrap" and code > 128:
            return code, code - 128
        return code, None


def _prlimit_argv(limits: Limits) -> list[str]:
    cpu = math.ceil(limits.time_s)
    memory = limits.memory_mb * 1024 * 1024
    return [
        "prlimit",
        f"--as={memory}",
        f"--cpu={cpu}:{cpu + 1}",
        f"--fsize={limits.output_bytes}",
        f"--nproc={limits.processes}",
        "--core=0",
        "--",
    ]


def _wait_or_kill(pid: int, timeout_s: float, kill_run: Callable[[], None]) -> bool:
    """Wait for pid to exit without reaping it; kill the run at the deadline. True if killed."""
    fired = threading.Event()

    def kill() -> None:
        fired.set()
        kill_run()

    timer = threading.Timer(timeout_s, kill)
    timer.start()
    try:
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    finally:
        timer.cancel()
    return fired.is_set()


def _kill_run(pgid: int, status_file: BinaryIO) -> None:
    """Kill a run: under bubblewrap its namespace's pid 1, so that bwrap returns only once the kernel has
    killed every process of the namespace; then (and always in the fallback) the whole process group."""
    init_pid = _namespace_init(status_file)
    if init_pid is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(init_pid, signal.SIGKILL)
        threading.Timer(KILL_GRACE_S, _kill_group, args=(pgid,)).start()
    else:
        _kill_group(pgid)


def _namespace_init(status_file: BinaryIO) -> int | None:
    """The host pid of the sandbox's pid 1, from bwrap's JSON status (None before bwrap has written it)."""
    try:
        first = os.pread(status_file.fileno(), 4096, 0).split(b"\n", 1)[0]
        pid = json.loads(first or b"null")
    except (OSError, json.JSONDecodeError):
        return None
    return int(pid["child-pid"]) if isinstance(pid, dict) and "child-pid" in pid else None


def _await_namespace_end(status_file: BinaryIO) -> None:
    """bwrap can return before its pid 1 has finished killing the namespace: wait until pid 1 is dead
    (a zombie or gone), which the kernel allows only once every process of the namespace is."""
    init_pid = _namespace_init(status_file)
    if init_pid is None:
        return
    deadline = time.monotonic() + KILL_GRACE_S
    while _alive(init_pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(init_pid, signal.SIGKILL)
            deadline = time.monotonic() + KILL_GRACE_S
        time.sleep(0.002)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[-1].split()[0] != b"Z"
    except OSError:
        return False


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _kill_marked(marker: str) -> None:
    """Kill processes that left their group (setsid) in the fallback, found by their environment marker,
    and wait (up to KILL_GRACE_S) until they are gone."""
    needle = f"{MARKER_VAR}={marker}".encode()
    deadline = time.monotonic() + KILL_GRACE_S
    while time.monotonic() < deadline:
        marked = [pid for pid in _pids() if needle in _environment(pid)]
        if not marked:
            return
        for pid in marked:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)


def _pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _environment(pid: int) -> list[bytes]:
    if not _alive(pid):
        return []
    try:
        with open(f"/proc/{pid}/environ", "rb") as environ:
            return environ.read().split(b"\0")
    except OSError:
        return []


def _read_report(report: BinaryIO) -> dict[str, Any] | None:
    """The waiter's JSON line, or None when the run was killed before it could write one."""
    report.seek(0)
    try:
        data = json.loads(report.read(4096) or b"null")
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


_waiter_lock = threading.Lock()


@functools.cache
def waiter_identity() -> str:
    """The waiter's source version: part of every results store key, as what it sets up for a run
    (signals, address-space randomisation, entropy) changes the run's counts."""
    return hashlib.sha256(WAITER_SOURCE.read_bytes()).hexdigest()[:16]


def build_waiter(root: Path) -> Path:
    """Compile (once per runtime dir and source version) the small C program that is pid 1 of each run."""
    path = root / f"waiter-{waiter_identity()}"
    with _waiter_lock:
        if path.exists():
            return path
        compiler = shutil.which("gcc") or shutil.which("cc")
        if compiler is None:
            raise PerfcoderError("a C compiler (gcc) is needed for the sandbox's waiter; run `make setup`")
        partial = path.with_suffix(".tmp")
        done = subprocess.run(
            [compiler, "-O2", "-static", "-o", str(partial), str(WAITER_SOURCE)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise PerfcoderError(f"cannot build the sandbox waiter: {done.stderr.strip()[:500]}")
        partial.chmod(0o755)
        partial.rename(path)
    return path


def readable_copy(source: Path) -> Path:
    """A copy of a package file or directory that runs read, in the runtime dir with modes every sandbox
    uid can read (made once per content): an installed file's own mode follows the umask it was installed
    under, and under 077 only its owner, not the run's uid, could read it."""
    root = runtime_dir()
    target = root / f"{source.name}-{_content_digest(source)[:16]}"
    if target.exists():
        return target
    staging = Path(tempfile.mkdtemp(prefix="copy-", dir=root))
    copy = staging / source.name
    if source.is_dir():
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        shutil.copyfile(source, copy)
    readable_by_runs(copy)
    with contextlib.suppress(OSError):  # another process made it first
        copy.rename(target)
    shutil.rmtree(staging, ignore_errors=True)
    return target


def readable_by_runs(root: Path) -> None:
    """Make a file or a tree readable (not writable) by every sandbox uid. Modes are set, not asked of
    mkdir or open, which the umask masks."""
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _content_digest(source: Path) -> str:
    """sha256 over a file's bytes, or a directory's files (names and bytes, caches left out)."""
    sha = hashlib.sha256()
    files = sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in files if source.is_dir() else [source]:
        sha.update(str(path.relative_to(source) if source.is_dir() else path.name).encode() + b"\0")
        sha.update(path.read_bytes())
    return sha.hexdigest()


def fixed_entropy(root: Path) -> Path:
    """The file repeatable runs read as /dev/urandom (made once per runtime dir)."""
    path = root / f"entropy-{hashlib.sha256(ENTROPY_SEED).hexdigest()[:16]}"
    if not path.exists():
        block, chunks = ENTROPY_SEED, []
        for _ in range(ENTROPY_BYTES // hashlib.sha256().digest_size):
            block = hashlib.sha256(block).digest()
            chunks.append(block)
        partial = Path(tempfile.mkstemp(dir=root, prefix="entropy-")[1])
        partial.write_bytes(b"".join(chunks))
        partial.chmod(0o644)
        partial.rename(path)
    return path


def _read_capped(path: Path, cap: int) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(cap + 1)
