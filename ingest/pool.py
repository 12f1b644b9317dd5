"""The process pool for the CPU-heavy steps of a big build: Python runs on one core per process.

Workers are fresh interpreters (spawn), not forks of a build that holds hundreds of MB of rows;
so a script calling build() needs the usual `if __name__ == "__main__":` guard. A task takes
only picklable arguments; an exception in it is raised again in the build by future.result().

A worker ignores Ctrl-C, which reaches the whole process group: the build handles it and stops
the pool. A worker exits as soon as the build process is gone (killed), so nothing writes on
into the directory of a failed build.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import limits
from .errors import FatalInput

# Reading and validating exports side by side pays once they are this big together: below it,
# starting the workers (a fresh interpreter each, ~0.3 s) costs more than it saves.
PARALLEL_MIN_BYTES = 20 * 1024 * 1024


def cores() -> int:
    return os.cpu_count() or 1


def workers_for_files(paths: Iterable[Path]) -> int:
    paths = [p for p in paths if p.is_file()]
    return cores() if len(paths) > 1 and sum(p.stat().st_size for p in paths) >= PARALLEL_MIN_BYTES else 1


def _worker_setup(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch():
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


@contextlib.contextmanager
def pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of `workers` processes. On leaving (also on an error) tasks not yet started are
    cancelled and running ones awaited, so no worker is left writing."""
    executor = ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_setup, initargs=(os.getpid(),)
    )
    try:
        yield executor
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Fatal:
    """A FatalInput on its way back from a worker (the exception itself does not survive pickling)."""

    path: Path | None
    message: str


def _call(current: limits.Limits, fn: Callable, args: tuple):
    with limits.use(current):  # a worker is a fresh process: the build's limits come with each call
        try:
            return fn(*args)
        except FatalInput as exc:
            return _Fatal(exc.path, exc.message)


def _result(future: Future):
    value = future.result()
    if isinstance(value, _Fatal):
        raise FatalInput(value.path, value.message)
    return value


@contextlib.contextmanager
def in_order(fn: Callable, calls: list[tuple], workers: int) -> Iterator[Iterator]:
    """fn(*args) for each args in calls, run side by side in `workers` processes; the results come
    in the order of calls, and a call's exception is raised where its result is taken. With one
    worker each call runs here, when its result is taken (as a plain loop would)."""
    if workers <= 1 or len(calls) <= 1:
        yield (fn(*args) for args in calls)
        return
    current = limits.current()
    with pool(min(workers, len(calls))) as executor:
        futures = [executor.submit(_call, current, fn, args) for args in calls]
        yield (_result(future) for future in futures)
