"""CPU-bound work off the event loop: password hashing and chunking run in a small
thread pool, so one client's expensive requests cannot stall everyone's. argon2's C
code and the chunker's regular expression release the GIL.

The pool is bounded twice: `workers` threads, and at most `queue` more calls
waiting for one. Past that a call fails at once with `Busy` (answered 503 with
Retry-After) instead of joining an ever longer queue.

Its threads also run at a lower scheduling priority than the event loop (nice +10,
where the OS lets a thread have its own, as Linux does), and so do the threads
argon2 starts for its lanes, which inherit it: one hash runs 4 of them, so two
workers kept every core busy and the loop waited its turn behind them
(`/health/live` p99 29-104 ms under 40 concurrent logins on 2 cores; 15-32 ms since)."""

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class Busy(Exception):
    """Every worker is busy and the queue is full: try again shortly."""

    retry_after_seconds = 1


# How much lower than the event loop's the workers' priority is (nice: 0 to 19).
NICENESS = 10


def _yield_to_the_loop() -> None:
    """Each worker thread's initializer: on Linux a thread id names the thread alone."""
    with contextlib.suppress(OSError, AttributeError):  # not everywhere per thread
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + NICENESS)


class CpuPool:
    def __init__(self, *, workers: int, queue: int) -> None:
        self._executor = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="tubebase-cpu", initializer=_yield_to_the_loop
        )
        self.workers = workers
        self.limit = workers + queue
        self._pending = 0
        self.peak = 0  # the most calls ever running or waiting at once
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        """Calls running or waiting, counted until their thread is done with them
        (a caller that gave up does not free its place early)."""
        return self._pending

    def _done(self, _: "Future[Any]") -> None:
        with self._lock:
            self._pending -= 1

    async def run(self, function: Callable[..., T], *args: object) -> T:
        with self._lock:
            if self._pending >= self.limit:
                raise Busy(f"{self._pending} CPU-bound calls are running or waiting")
            self._pending += 1
            self.peak = max(self.peak, self._pending)
        submitted = self._executor.submit(function, *args)
        submitted.add_done_callback(self._done)
        return await asyncio.wrap_future(submitted)

    async def run_if(self, heavy: bool, function: Callable[..., T], *args: object) -> T:
        """`function` in the pool when `heavy`, else here and now: handing small work to a
        thread costs more than doing it."""
        if heavy:
            return await self.run(function, *args)
        return function(*args)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
