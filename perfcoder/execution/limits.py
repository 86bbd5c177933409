"""Resource limits of one sandboxed run, named where they are set."""

from dataclasses import dataclass

from perfcoder.errors import PerfcoderError


@dataclass(frozen=True)
class Limits:
    """Per-run limits; every run of untrusted code gets all of them."""

    time_s: float = 10.0  # wall-clock limit; the CPU-time rlimit is the same, rounded up
    memory_mb: int = 2048  # RLIMIT_AS: address space, so a huge allocation fails at once
    output_mb: float = 16.0  # cap on stdout, on stderr and on any file the program writes
    processes: int = 256  # RLIMIT_NPROC of the sandbox uid: stops fork bombs

    def __post_init__(self) -> None:
        for name in ("time_s", "memory_mb", "output_mb", "processes"):
            if getattr(self, name) <= 0:
                raise PerfcoderError(f"limit {name} must be positive, got {getattr(self, name)}")

    @property
    def output_bytes(self) -> int:
        return int(self.output_mb * 1024 * 1024)


COMPILE_LIMITS = Limits(time_s=60.0, memory_mb=4096, output_mb=512.0, processes=256)
