"""CPU-bound work off the event loop: password hashing and chunking run in a small
thread pool, so one client's expensive requests cannot stall everyone's. argon2's C
code and the chunker's regular expression release the GIL.

The pool is bounded twice: `workers` threads, and at most `queue` more calls
waiting for one. Past that a call fails at once with `Busy` (answered 503 with
Retry-After) instead of joining an ever longer queue."""

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class Busy(Exception):
    """Every worker is busy and the queue is full: try again shortly."""

    retry_after_seconds = 1


class CpuPool:
    def __init__(self, *, workers: int, queue: int) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tubebase-cpu")
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
