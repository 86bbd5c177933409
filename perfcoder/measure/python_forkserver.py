"""The Python fork server: one interpreter under valgrind measures many (program, input) jobs.

Run inside the sandbox by the plain runs' interpreter under cachegrind, with the jobs at JOBS; it does
not import perfcoder. Python's start-up under valgrind costs ~1.5 s, more than most programs' own work,
so the interpreter starts once and forks a child per job, which inherits the started interpreter and
valgrind's translations. Each job is served by a fresh copy of the server, which links the program's
files into PROG_DIR and forks, in turn:

- a marker, which exits at once: its counts are everything done before the job;
- the measured child, which waits until the marker's counts are read, then runs the program as
  `python3 /tmp/prog/main.py < input` does (`__main__`, `sys.argv`, `sys.path[0]`, exit status,
  interpreter shutdown); its counts minus the marker's are the program's own;

then kills what the program left running, reports the job (both count summaries, exit status, a digest
of stdout, the end of stderr) as one JSON line on its stdout and empties every directory the job could
write. Only the measured child runs untrusted code.

Until a measured child is forked, the server imports nothing that a plain start-up does not (a module
already imported would make the program's own import of it free), which is why the modules used after
the fork are imported there.
"""

import _signal  # type: ignore[import-not-found]  # `signal` is not imported at start-up
import os
import sys
import time

TYPE_CHECKING = False  # `typing` is not imported at start-up either
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any

PROG_DIR = "/tmp/prog"  # where the program lives, as in a plain run (the path changes the counts)
PROGRAM = PROG_DIR + "/main.py"
PROGRAM_FILES = ("main.py", "build.log")  # what a plain run's program directory holds
WORK_DIR = "/tmp/box"  # the program's working directory
OUT_DIR = "/tmp/out"  # count files and captured output
STDOUT = OUT_DIR + "/stdout"
STDERR = OUT_DIR + "/stderr"
PRELOADED = OUT_DIR + "/preloaded"  # made when a job imports the package the server preloaded
WARM_UP = "/tmp/warm_up.py"  # read-only: python_warmup.py, run once before the jobs
WARM_UP_INPUT = OUT_DIR + "/warm-up-input"
JOBS = "/tmp/jobs"  # read-only: NNNNNN/{main.py,build.log,input} per job, wall_ms (limit per job)
MAX_JOBS = 40  # per server: process numbers stay below 257, cached ints (pids of more change counts)
NO_MORE_JOBS = 3  # exit status of a job's server copy past the last job
WRITABLE = (PROG_DIR, WORK_DIR, OUT_DIR, "/dev/shm")  # all a job can write: emptied after each job
STDERR_TAIL = 2000  # bytes of a job's stderr reported back
KILL_ROUNDS = 100  # attempts to see every leftover process gone
FILE_MODE = 0o600
RELEASE = b"go"  # what lets the measured child run the program
BLOCK_POLLS, BLOCK_POLL_S = 2000, 0.005  # how long the server waits for the child to block: up to 10 s
# Copied over just before a program runs: the frames the measured child leaves on its way there held its
# job number and the marker's process number (cached small ints, each on its own cache line), so the
# simulated L1 data cache it started with varied with its place in the batch, and a program's misses
# with it (by one or two, not alike for every program). The copy evicts all of it: four times the L1.
FLUSH_BYTES = 4 * 32768
flush_from, flush_to = bytearray(FLUSH_BYTES), bytearray(FLUSH_BYTES)
COUNTS_HEAD = 4096  # bytes of a cachegrind file holding its `events:` line (after `desc:` and `cmd:`)
COUNTS_TAIL = 4096  # bytes at its end holding the `summary:` line

measured_pid = [0]  # the running measured child, for the timeout handler
timed_out = [False]


def main(preload: str) -> dict[str, str] | None:
    """Serve every job in JOBS; returns the job in its measured child, None in the server."""
    wall_s = read_wall_s()
    warm_up()
    if preload:
        hide(preload)
    _signal.signal(_signal.SIGALRM, on_timeout)
    # A turn of this loop allocates nothing that outlives it and the server reads nothing about the
    # jobs, so every job's copy starts from the same heap: a program's counts do not depend on the jobs
    # around it. Turn -1 takes the first turn's one-off allocations.
    for index in range(-1, MAX_JOBS):
        pid = os.fork()
        if pid == 0:
            return serve(index, wall_s) if index >= 0 else os._exit(0)
        _, status = os.waitpid(pid, 0)
        if status == NO_MORE_JOBS << 8:
            break
    return None


def read_wall_s() -> float:
    """The per-job wall-clock limit, read before the warm-up: what reading it touched (its digits differ
    with the limit) is washed out of the simulated caches before any job, so a run counts the same
    under any time limit. Fixed-width milliseconds: an integer's parse takes the same path for every
    value of that width, a float's does not."""
    with open(f"{JOBS}/wall_ms") as handle:
        return int(handle.read()) / 1000


def warm_up() -> None:
    """Do in the server what each child would otherwise do for the first time and pay for: the first
    compile of source bytes (~8M instructions, which a plain run pays during start-up), and valgrind's
    translation of the interpreter code a program needs (about as much time as a small program's own
    run): compile a program, read input, compute and print as contest programs do
    (python_warmup.py). Nothing it made outlives it: its functions go with its namespace."""
    with open(WARM_UP, "rb") as handle:
        code = compile(handle.read(), WARM_UP, "exec")
    namespace: dict[str, Any] = {"__name__": "__warm_up__"}
    exec(code, namespace)
    namespace["run"](WARM_UP_INPUT)
    namespace.clear()


def hide(package: str) -> None:
    """Import a package (numpy: ~280M instructions, ~5 s under valgrind, in every run that imports it)
    once, then take it and every module its import brought in out of sys.modules, to be handed back
    when a job imports one of them."""
    before = set(sys.modules)
    __import__(package)
    added = {name: module for name, module in sys.modules.items() if name not in before}
    for name in added:
        del sys.modules[name]
    sys.meta_path.insert(0, Preloaded(package, added))


class Preloaded:
    """Finder and loader of hidden modules. Importing one of them hands back the modules the package's
    import brought in (the standard library ones), importing the package or one of its modules hands
    back everything and marks PRELOADED: a run that never does is not measured here (its start-up
    would hold an import it never did). A module handed back is the one the server imported, as a
    plain run's import would have left it."""

    def __init__(self, package: str, added: "dict[str, ModuleType]") -> None:
        own = {name for name in added if name == package or name.startswith(package + ".")}
        self.own = {name: module for name, module in added.items() if name in own}
        self.rest = {name: module for name, module in added.items() if name not in own}
        self.package = package
        # handed back (with its own spec), until the import machinery has it
        self.found: dict[str, tuple[ModuleType, ModuleSpec | None]] = {}

    def find_spec(
        self, name: str, path: "Sequence[str] | None" = None, target: "ModuleType | None" = None
    ) -> "ModuleSpec | None":
        module = self.rest.pop(name, None) or self.own.pop(name, None)
        if module is None:
            return None
        # all but the module asked for, which the import machinery puts in sys.modules itself (found
        # there now, it would be loaded again from its own spec)
        sys.modules.update(self.rest)
        self.rest = {}
        if name == self.package or name.startswith(self.package + "."):
            sys.modules.update(self.own)
            self.own = {}
            sys.meta_path.remove(self)
            os.close(os.open(PRELOADED, os.O_WRONLY | os.O_CREAT, FILE_MODE))
        self.found[name] = (module, module.__spec__)
        spec: ModuleSpec = sys.modules["_frozen_importlib"].ModuleSpec(name, self)
        return spec

    def create_module(self, spec: "ModuleSpec") -> "ModuleType":
        return self.found[spec.name][0]

    def exec_module(self, module: "ModuleType") -> None:
        """Nothing to run; only the spec the import machinery replaced is put back."""
        module.__spec__ = self.found.pop(module.__name__)[1]


def serve(index: int, wall_s: float) -> dict[str, str] | None:
    """One job, in a fresh copy of the server: marker, measured child, report."""
    directory = f"{JOBS}/{index:06d}"
    if not os.path.isdir(directory):
        os._exit(NO_MORE_JOBS)
    for name in PROGRAM_FILES:
        os.symlink(f"{directory}/{name}", f"{PROG_DIR}/{name}")
    release_read, release_write = os.pipe()
    marker = os.fork()
    if marker == 0:
        os._exit(0)
    child = os.fork()
    if child == 0:
        return held(release_read, release_write, {"input": f"{directory}/input"})
    os.close(release_read)
    os.waitpid(marker, 0)
    before = summary(marker)  # read before the program runs (it can write OUT_DIR), after the fork
    blocked(child, release_read)
    os.write(release_write, RELEASE)
    os.close(release_write)
    status = wait(child, wall_s)
    kill_leftovers(child)
    report(index, child, status, before)
    os._exit(0)


def held(release_read: int, release_write: int, job: dict[str, str]) -> dict[str, str]:
    """The measured child waits until the marker's counts are read: read before the child's fork, their
    reading would cost it a number of instructions that depends on the digits in the marker's file."""
    os.close(release_write)
    released = os.read(release_read, len(RELEASE))
    os.close(release_read)
    if released != RELEASE:  # its server is gone
        os._exit(1)
    return job


def blocked(child: int, fd: int) -> None:
    """Wait until the measured child is blocked reading the release pipe, so that its read always blocks
    and every job's events come in the same order (valgrind traces that read as two lines either way)."""
    waiting = f"0 {hex(fd)} "  # read(2) on the pipe's fd, as /proc/PID/syscall shows it
    for _ in range(BLOCK_POLLS):
        try:
            with open(f"/proc/{child}/syscall") as handle:
                if handle.read().startswith(waiting):
                    return
        except OSError:  # gone (it failed before reading): nothing to wait for
            return
        time.sleep(BLOCK_POLL_S)


def on_timeout(signum: int, frame: object) -> None:
    timed_out[0] = True
    os.kill(measured_pid[0], _signal.SIGKILL)


def wait(child: int, wall_s: float) -> int:
    """Wait for the measured child, killing it after wall_s seconds; its status."""
    measured_pid[0] = child
    _signal.setitimer(_signal.ITIMER_REAL, wall_s)
    _, status = os.waitpid(child, 0)
    _signal.setitimer(_signal.ITIMER_REAL, 0)
    return status


def kill_leftovers(child: int) -> None:
    """Kill every process started after the measured child (all it left running): process numbers
    only grow in the sandbox's namespace, and this server started nothing since."""
    for _ in range(KILL_ROUNDS):
        pids = map(int, filter(str.isdigit, os.listdir("/proc")))
        alive = [pid for pid in pids if pid > child and running(pid)]
        if not alive:
            return
        for pid in alive:
            try:
                os.kill(pid, _signal.SIGKILL)
            except ProcessLookupError:
                continue
        time.sleep(0.01)


def running(pid: int) -> bool:
    """Whether a process exists and is not a zombie (its parent, init, reaps it)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def report(index: int, child: int, status: int, before: dict[str, int] | None) -> None:
    """One JSON line (written by hand: importing json in every job's copy would cost ~0.1 s)."""
    fields = {
        "index": str(index),
        "pid": str(child),
        "exit_code": str(os.waitstatus_to_exitcode(status)),
        "timed_out": "true" if timed_out[0] else "false",
        "marker": as_json(before),
        "child": as_json(summary(child)),
        "preloaded": "true" if os.path.exists(PRELOADED) else "false",
        "stdout_sha256": f'"{digest(STDOUT)}"',
        "stderr_hex": f'"{tail(STDERR).hex()}"',
    }
    line = "{" + ", ".join(f'"{key}": {value}' for key, value in fields.items()) + "}\n"
    os.write(1, line.encode())
    for directory in WRITABLE:
        empty(directory)


def as_json(counts: dict[str, int] | None) -> str:
    if counts is None:
        return "null"
    return "{" + ", ".join(f'"{name}": {value}' for name, value in counts.items()) + "}"


def summary(pid: int) -> dict[str, int] | None:
    """The totals of a process's cachegrind file (None if it wrote none: killed). Only its head (the
    `events:` line) and its end (the `summary:` line) are read: the per-line counts in between are
    ~250 kB, and reading them under valgrind cost ~20 ms per file, two files per job."""
    try:
        handle = os.open(f"{OUT_DIR}/cachegrind.{pid}", os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        head = os.read(handle, COUNTS_HEAD)
        os.lseek(handle, max(0, os.fstat(handle).st_size - COUNTS_TAIL), os.SEEK_SET)
        end = os.read(handle, COUNTS_TAIL)
    finally:
        os.close(handle)
    names = line_after(head.decode(errors="replace"), "\nevents:").split()
    totals = line_after(end.decode(errors="replace"), "\nsummary:").split()
    if not names or len(names) != len(totals) or not all(name.isalnum() for name in names):
        return None
    return dict(zip(names, map(int, totals), strict=True))


def line_after(text: str, key: str) -> str:
    start = text.find(key)
    if start < 0:
        return ""
    start += len(key)
    end = text.find("\n", start)
    return text[start : end if end >= 0 else len(text)]


def digest(path: str) -> str:
    """sha256 of a file ("" if missing), with the small `_sha256` module (hashlib loads OpenSSL)."""
    import _sha256  # type: ignore[import-not-found]

    sha = _sha256.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                sha.update(chunk)
    except FileNotFoundError:
        return ""
    return str(sha.hexdigest())


def tail(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, os.fstat(handle.fileno()).st_size - STDERR_TAIL))
            return handle.read()
    except FileNotFoundError:
        return b""


def empty(directory: str) -> None:
    """Remove everything in a directory (all the job's uid could write there)."""
    for root, directories, files in os.walk(directory, topdown=False):
        for name in files:
            remove(os.unlink, os.path.join(root, name))
        for name in directories:
            path = os.path.join(root, name)
            remove(os.unlink if os.path.islink(path) else os.rmdir, path)


def remove(how: object, path: str) -> None:
    try:
        how(path)  # type: ignore[operator]
    except OSError:
        return


def run(job: dict[str, str]) -> None:
    """Become `python3 /tmp/prog/main.py < input`: standard streams, then the program as __main__;
    its exceptions, exit status and shutdown are the interpreter's own."""
    flush_to[:] = flush_from
    _signal.signal(_signal.SIGALRM, _signal.SIG_DFL)
    os.setpgid(0, 0)
    redirect(job["input"], 0, os.O_RDONLY)
    redirect(STDOUT, 1, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    redirect(STDERR, 2, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    sys.argv[:] = [PROGRAM]
    sys.path[0] = PROG_DIR
    module = type(sys)("__main__")
    module.__dict__.update({"__file__": PROGRAM, "__builtins__": __builtins__, "__cached__": None})
    sys.modules["__main__"] = module
    with open(PROGRAM, "rb") as handle:
        code = compile(handle.read(), PROGRAM, "exec")
    exec(code, module.__dict__)


def redirect(path: str, fd: int, flags: int) -> None:
    opened = os.open(path, flags, FILE_MODE)
    os.dup2(opened, fd)
    os.close(opened)


if __name__ == "__main__":
    measured = main(sys.argv[1] if len(sys.argv) > 1 else "")
    if measured is not None:
        run(measured)
