"""Run one function over many items on several cores (`katsudo build --jobs N`).

Worker processes are forked *after* the build has made everything the function needs (the
Markdown renderer, the Jinja environment with its templates compiled, the page plan), so no
state is pickled on the way in: a worker gets item numbers and sends back only the results.
The results come back in the items' order, so the output never depends on how many jobs ran.
Where fork is not available, or for a small batch, the items are done in this process.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from typing import Callable, TypeVar

T = TypeVar("T")

_CAN_FORK = hasattr(os, "fork")  # (what multiprocessing's "fork" start method needs)
MIN_ITEMS_PER_JOB = 64  # below this, starting workers costs more than it saves

_task: Callable[[int], object] | None = None


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _run_chunk(bounds: tuple[int, int]) -> list:
    start, stop = bounds
    task = _task
    assert task is not None  # (run_indexed set it before the workers were forked)
    return [task(index) for index in range(start, stop)]


def run_indexed(task: Callable[[int], T], count: int, jobs: int,
                progress: Callable[[int], None] | None = None) -> list[T]:
    """[task(0), …, task(count - 1)], spread over `jobs` processes; `progress(n)` after each n done."""
    global _task
    results: list[T] = []
    if jobs <= 1 or count < 2 * MIN_ITEMS_PER_JOB or not _CAN_FORK:
        for index in range(count):
            results.append(task(index))
            if progress is not None and index % 50 == 49:
                progress(50)
        if progress is not None and count % 50:
            progress(count % 50)
        return results
    jobs = min(jobs, count // MIN_ITEMS_PER_JOB)
    size = max(8, min(256, count // (jobs * 8)))  # small chunks: the slow pages do not wait at the end
    chunks = [(start, min(start + size, count)) for start in range(0, count, size)]
    _task = task
    try:
        with _frozen():  # while the workers run
            import multiprocessing  # (here: a text patch or a no-op rebuild never starts a pool)

            context = multiprocessing.get_context("fork")
            with context.Pool(jobs) as pool:
                for part in pool.imap(_run_chunk, chunks):
                    results.extend(part)
                    if progress is not None:
                        progress(len(part))
        return results
    finally:
        _task = None


@contextmanager
def _frozen():
    """The build's model (posts, HTML, the plan) out of the garbage collector's walks, in this
    process and in the ones forked meanwhile (where a walk would also touch, and so copy, every
    page of memory they share). Left frozen if it was (katsudo serve freezes it)."""
    thaw = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield
    finally:
        if thaw:
            gc.unfreeze()


@contextmanager
def collector_paused():
    """No garbage collection while a large pickle is read: each of its objects counts towards
    the next collection, and the two full collections that reading the cache's record and an
    annual report's views set off cost more than the reading itself. (No cycles are made.)"""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def in_background(job: Callable[[], object], jobs: int) -> int | None:
    """Run `job` in a forked process while this one goes on; its pid (for `wait_for`), or None
    when it ran here (one job, or no fork). For work whose failure costs only speed: the
    process's exit status is not looked at."""
    if jobs <= 1 or not _CAN_FORK:
        job()
        return None

    def child() -> int:
        job()
        return 0

    return _fork(child)


def _fork(child: Callable[[], int]) -> int:
    """The pid of a forked process that runs `child` and exits with the status it returns (1 if
    it raises), never coming back here."""
    with _frozen():
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (coverage does not follow it)
        status = 1
        try:
            gc.disable()
            status = child()
        finally:
            os._exit(status)
    return pid


class ForkedQuestion:
    """A yes-or-no question answered by a forked process while this one goes on: `answer()`
    waits for it, `close()` (always call it) reaps a child nobody asked. The answer travels as
    the exit status, so a child that fails in any way answers no, the careful answer for the
    checks this is for. With one job, or no fork, `answer()` asks here, once."""

    def __init__(self, question: Callable[[], bool], jobs: int):
        self._question = question
        self._answer: bool | None = None
        self._pid: int | None = None
        if jobs > 1 and _CAN_FORK:
            self._pid = _fork(lambda: 0 if question() else 1)

    def answer(self) -> bool:
        if self._answer is None:
            if self._pid is None:
                self._answer = bool(self._question())
            else:
                self._answer = self._reap() == 0
        return self._answer

    def close(self) -> None:
        if self._pid is not None and self._answer is None:
            try:
                os.kill(self._pid, 9)
            except OSError:
                pass
            self._reap()
            self._answer = False

    def _reap(self) -> int:
        pid, self._pid = self._pid, None
        assert pid is not None  # (only while the child is running)
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            return -1
        return os.waitstatus_to_exitcode(status)


def wait_for(pids: list[int]) -> None:
    while pids:
        pid = pids.pop()
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
