"""The batch queue: runs of concurrent callers share full batches, a partial batch leaves as soon as
nobody can add to it, and every caller hears of a batch that failed."""

from __future__ import annotations

import threading
import time

import pytest

from perfcoder.execution.batching import BatchQueue

SETTLE_S = 0.3  # long enough for the dispatcher to act on what it was given


class Recorder:
    """A batch measurement that records its batches and answers ten times each job."""

    def __init__(self, fail: bool = False, takes_s: float = 0.0) -> None:
        self.batches: list[list[int]] = []
        self.lock = threading.Lock()
        self.fail = fail
        self.takes_s = takes_s

    def __call__(self, jobs: list[int]) -> list[int]:
        with self.lock:
            self.batches.append(jobs)
        time.sleep(self.takes_s)
        if self.fail:
            raise RuntimeError("the sandbox broke")
        return [10 * job for job in jobs]


def queue(recorder: Recorder, *, size: int, least: int = 1, slots: int = 1) -> BatchQueue[int, int]:
    return BatchQueue(recorder, size=size, least=least, slots=slots, order=lambda job: f"{job:04d}")


def test_a_partial_batch_waits_for_callers_that_may_still_add_to_it() -> None:
    recorder = Recorder()
    batches = queue(recorder, size=4)
    with batches.producing():
        with batches.producing():
            first = batches.submit([3, 1, 2])
        time.sleep(SETTLE_S)
        assert recorder.batches == []  # another caller is still judging: the batch is not full
        second = batches.submit([5, 4])
        time.sleep(SETTLE_S)
        assert recorder.batches == [[1, 2, 3, 4]]  # full: it leaves, in job order
    assert [future.result(timeout=5) for future in first + second] == [30, 10, 20, 50, 40]
    assert recorder.batches == [[1, 2, 3, 4], [5]]  # nobody can add to the rest: it leaves at once
    batches.close()


@pytest.mark.parametrize(
    ("least", "sizes"),
    [
        (2, [4, 4]),  # the last jobs are shared among the free workers
        (6, [2, 6]),  # but no batch is made smaller than `least` for it
    ],
)
def test_the_last_jobs_are_shared_among_free_workers(least: int, sizes: list[int]) -> None:
    recorder = Recorder(takes_s=SETTLE_S)  # both batches start before either ends
    batches = queue(recorder, size=10, least=least, slots=2)
    futures = batches.submit(list(range(8)))
    assert [future.result(timeout=5) for future in futures] == [10 * job for job in range(8)]
    assert sorted(map(len, recorder.batches)) == sizes
    batches.close()


def test_no_more_batches_run_at_once_than_there_are_slots() -> None:
    running, most = [0], [0]
    lock = threading.Lock()

    def slow(jobs: list[int]) -> list[int]:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return jobs

    batches = BatchQueue(slow, size=1, least=1, slots=2, order=str)
    futures = batches.submit(list(range(10)))
    assert [future.result(timeout=5) for future in futures] == list(range(10))
    assert most[0] == 2
    batches.close()


def test_every_caller_of_a_failed_batch_hears_why() -> None:
    batches = queue(Recorder(fail=True), size=4)
    futures = batches.submit([1, 2])
    for future in futures:
        with pytest.raises(RuntimeError, match="the sandbox broke"):
            future.result(timeout=5)
    batches.close()
    with pytest.raises(RuntimeError, match="closed"):
        batches.submit([3])
