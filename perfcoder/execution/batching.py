"""Gathering the runs that concurrent calls want measured into full batches.

A batched measurement pays a start-up (~2.6 s for the Python fork server) per batch, so a pair's few runs
alone make a poor batch; pairs evaluated side by side hand their runs to one queue instead. A batch
leaves the queue when it is full, or when no caller can add to it any more (every caller that is still
judging has handed its runs over): waiting longer could not fill it. Batches run at most `slots` at a
time, so the queue fills while the workers are busy.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")


class BatchQueue(Generic[Job, Result]):
    """Jobs in, one future per job out; `run(jobs)` measures one batch and returns a result per job, in
    order."""

    def __init__(
        self,
        run: Callable[[list[Job]], list[Result]],
        *,
        size: int,
        least: int,
        slots: int,
        order: Callable[[Job], str],
    ) -> None:
        if size < 1 or slots < 1:
            raise ValueError(f"a batch queue needs size and slots >= 1, got {size} and {slots}")
        self._run = run
        self._size = size
        self._least = min(least, size)  # below this, one batch beats splitting across workers
        self._order = order  # jobs leave in this order: batches repeat when their jobs do
        self._free = slots  # batches that may start now
        self._pending: list[tuple[Job, Future[Result]]] = []
        self._producers = 0
        self._closed = False
        self._changed = threading.Condition()
        self._dispatcher: threading.Thread | None = None

    @contextlib.contextmanager
    def producing(self) -> Iterator[None]:
        """While a caller is in here it may still submit jobs, so partial batches wait for it."""
        with self._changed:
            self._producers += 1
        try:
            yield
        finally:
            with self._changed:
                self._producers -= 1
                self._changed.notify_all()

    def submit(self, jobs: Sequence[Job]) -> list[Future[Result]]:
        futures: list[Future[Result]] = [Future() for _ in jobs]
        with self._changed:
            if self._closed:
                raise RuntimeError("the batch queue is closed")
            self._pending.extend(zip(jobs, futures, strict=True))
            if self._dispatcher is None:
                self._dispatcher = threading.Thread(target=self._dispatch, name="batch-queue", daemon=True)
                self._dispatcher.start()
            self._changed.notify_all()
        return futures

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()
        if self._dispatcher is not None:
            self._dispatcher.join()

    def _dispatch(self) -> None:
        while True:
            with self._changed:
                while not self._ready():
                    if self._closed and not self._pending:
                        return
                    self._changed.wait()
                batch = self._take()
                self._free -= 1
            threading.Thread(target=self._measure, args=(batch,), daemon=True).start()

    def _ready(self) -> bool:
        """A worker is free and there is a full batch, or jobs that nobody can add to any more."""
        if self._free == 0 or not self._pending:
            return False
        return len(self._pending) >= self._size or self._producers == 0 or self._closed

    def _take(self) -> list[tuple[Job, Future[Result]]]:
        """The next batch: full, or the jobs shared among the free workers."""
        jobs = sorted(self._pending, key=lambda item: self._order(item[0]))
        size = self._size
        if self._producers == 0 and len(jobs) < self._size * self._free:
            size = min(self._size, max(self._least, math.ceil(len(jobs) / self._free)))
        self._pending = jobs[size:]
        return jobs[:size]

    def _measure(self, batch: list[tuple[Job, Future[Result]]]) -> None:
        try:
            results = self._run([job for job, _ in batch])
            for (_, future), result in zip(batch, results, strict=True):
                future.set_result(result)
        except BaseException as exc:  # every waiting caller must hear of it
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        finally:
            with self._changed:
                self._free += 1
                self._changed.notify_all()
