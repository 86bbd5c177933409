"""Where an executor's jobs run: threads on this machine (each job is one sandboxed process, so threads
suffice), or Ray workers anywhere in a cluster. A job is a call of one of the executor's methods; a Ray
worker holds its own executor with the same settings (same sandbox, toolchain, limits and cost model)
and no results store, so results come back to the driver, whose store stays the one source of truth."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TYPE_CHECKING, Any, Protocol

from perfcoder.errors import PerfcoderError

if TYPE_CHECKING:
    from perfcoder.execution.engine import ExecutionConfig, Executor

LOCAL, RAY = "local", "ray"
RAY_EXTRA = "the Ray executor needs: pip install 'perfcoder[ray]'"
EXECUTOR_HELP = (
    "Where programs run: local (threads on this machine), ray (a Ray cluster: RAY_ADDRESS's, else a new "
    "local one) or ray://HOST:PORT (an existing cluster)."
)
Call = tuple[str, tuple[Any, ...]]  # an Executor method's name and its arguments


class Dispatch(Protocol):
    def run(self, executor: Executor, calls: Sequence[Call]) -> Iterator[tuple[int, Any]]:
        """(index of the call, its result), in the order they finish."""
        ...

    def close(self) -> None: ...


def check_executor(spec: str) -> None:
    if spec not in (LOCAL, RAY) and not spec.startswith("ray://"):
        raise PerfcoderError(f"executor must be local, ray or ray://HOST:PORT, not {spec!r}")


def make_dispatch(config: ExecutionConfig) -> Dispatch:
    return ThreadDispatch(config.workers) if config.executor == LOCAL else RayDispatch(config)


class ThreadDispatch:
    """One pool of `workers` threads for every caller: pairs evaluated side by side share the machine's
    workers instead of each starting its own."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="perfcoder-run")

    def run(self, executor: Executor, calls: Sequence[Call]) -> Iterator[tuple[int, Any]]:
        submit = self._pool.submit
        futures = {submit(getattr(executor, name), *args): i for i, (name, args) in enumerate(calls)}
        for future in as_completed(futures):
            yield futures[future], future.result()

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


class RayDispatch:
    """One Ray actor per worker (the config's `jobs`, else one per CPU of the cluster), started on first
    use and kept for the executor's life; a Ray instance this process started is shut down on close."""

    def __init__(self, config: ExecutionConfig) -> None:
        self.config = config
        self._actors: list[Any] = []
        self._started = False
        self._starting = threading.Lock()  # callers on several threads (pairs side by side) start one set

    def run(self, executor: Executor, calls: Sequence[Call]) -> Iterator[tuple[int, Any]]:
        if not calls:  # everything came from the store: no cluster needed
            return
        from ray.util import ActorPool

        pool: Any = ActorPool(self._workers())
        for index, call in enumerate(calls):
            pool.submit(lambda actor, job: actor.call.remote(*job), (index, *call))
        while pool.has_next():
            yield pool.get_next_unordered()

    def close(self) -> None:
        if not self._actors:
            return
        ray = _ray()
        for actor in self._actors:
            ray.kill(actor)
        self._actors = []
        if self._started:
            ray.shutdown()

    def _workers(self) -> list[Any]:
        with self._starting:
            return self._actors or self._start()

    def _start(self) -> list[Any]:
        ray = _ray()
        if not ray.is_initialized():
            address = None if self.config.executor == RAY else self.config.executor
            ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
            self._started = True
        count = self.config.jobs or max(1, int(ray.cluster_resources().get("CPU", 1)))
        worker_config = dataclasses.replace(self.config, executor=LOCAL, use_store=False, jobs=1)
        remote = ray.remote(num_cpus=1)(_Worker)
        self._actors = [remote.remote(worker_config) for _ in range(count)]
        return self._actors


class _Worker:
    """A Ray actor: its own executor, no store; answers one call at a time."""

    def __init__(self, config: ExecutionConfig) -> None:
        from perfcoder.execution.engine import Executor

        self.executor = Executor(config)

    def call(self, index: int, name: str, args: tuple[Any, ...]) -> tuple[int, Any]:
        return index, getattr(self.executor, name)(*args)


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise PerfcoderError(RAY_EXTRA) from None
    return ray
