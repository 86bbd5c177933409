"""Resource limits of one sandboxed run, named where they are set."""

from dataclasses import dataclass

from perfcoder.errors import PerfcoderError
from perfcoder.settings import setting


@dataclass(frozen=True)
class Limits:
    """Per-run limits; every run of untrusted code gets all of them."""

    time_s: float = setting(
        10.0, "Seconds per test (wall clock; the CPU-time rlimit is the same, rounded up)."
    )
    memory_mb: int = setting(2048, "MiB of address space (RLIMIT_AS: a huge allocation fails at once).")
    output_mb: float = setting(16.0, "MiB cap on stdout, on stderr and on any file the program writes.")
    processes: int = setting(256, "Processes of the sandbox uid at once (stops fork bombs).")

    def __post_init__(self) -> None:
        for name in ("time_s", "memory_mb", "output_mb", "processes"):
            if getattr(self, name) <= 0:
                raise PerfcoderError(f"limit {name} must be positive, got {getattr(self, name)}")

    @property
    def output_bytes(self) -> int:
        return int(self.output_mb * 1024 * 1024)


COMPILE_LIMITS = Limits(time_s=60.0, memory_mb=4096, output_mb=512.0, processes=256)
