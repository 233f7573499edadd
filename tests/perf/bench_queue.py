"""The job queue with woken workers: enqueue→start latency and claim + complete
throughput, with `--workers` worker processes (4) each running `--concurrency` jobs at
a time (8).

    python -m tests.perf.bench_queue [--workers 4] [--concurrency 8] [--jobs 20000]
                                     [--latency-jobs 200]

Each worker is service.worker.Worker.run_forever, LISTENing as `tubebase worker` does,
with a no-op job type (so what is measured is the queue: claim, the job's transaction,
complete) and a 1 s poll. Latency: jobs enqueued one at a time, 20 ms apart, into
idle workers; enqueue→start is the claim's `started_at` minus the job's `created_at`
(both the server's clock), enqueue→done uses `finished_at`. Throughput: `--jobs` jobs
enqueued in one statement, timed until the last completes. Then the same latency run
with LISTEN off (the poll alone), for comparison in the same run.

On DATABASE_URL's server if set (database tubebase_queue_bench), else on an embedded
server in a temporary directory. Not part of the test suite: it measures."""

import argparse
import asyncio
import multiprocessing
import os
import signal
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg

from service.db import connect, create_pool
from service.queries import users
from service.queries.processing_jobs import Job
from service.settings import load_settings
from service.tooling import migrations
from service.worker import Worker
from tests.perf.bench_retrieval import _bench_database, _percentile

JOB_TYPE = "bench_noop"
POLL_SECONDS = 1.0
PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"


async def _noop(db: asyncpg.Connection, job: Job, settings: Any) -> dict[str, bool]:
    return {"ok": True}


def _worker_process(url: str, concurrency: int, listen: bool, ready: Any) -> None:
    async def run() -> None:
        pool = await create_pool(url, min_size=concurrency + 1, max_size=concurrency + 1)
        worker = Worker(
            pool, load_settings({}), concurrency=concurrency, handlers={JOB_TYPE: _noop}
        )
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        ready.release()
        await worker.run_forever(
            stop, poll_seconds=POLL_SECONDS, listen_url=url if listen else None
        )
        await pool.close()

    asyncio.run(run())


class Workers:
    def __init__(self, url: str, count: int, concurrency: int, listen: bool) -> None:
        context = multiprocessing.get_context("spawn")
        ready = context.Semaphore(0)
        self.processes = [
            context.Process(target=_worker_process, args=(url, concurrency, listen, ready))
            for _ in range(count)
        ]
        for process in self.processes:
            process.start()
        for _ in self.processes:
            ready.acquire()

    def stop(self) -> None:
        for process in self.processes:
            if process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
        for process in self.processes:
            process.join(30)


_ENQUEUE_ONE = "INSERT INTO processing_jobs (user_id, job_type) VALUES ($1, $2) RETURNING id"
_ENQUEUE_MANY = """
INSERT INTO processing_jobs (user_id, job_type)
SELECT $1, $2 FROM generate_series(1, $3)
"""
_LATENCIES = """
SELECT extract(epoch FROM started_at - created_at) * 1000,
       extract(epoch FROM finished_at - created_at) * 1000
FROM processing_jobs WHERE id = ANY($1::uuid[])
"""


_UNFINISHED = """
SELECT EXISTS (SELECT 1 FROM processing_jobs
               WHERE status IN ('queued', 'running') AND job_type = $1)
"""


async def _until_done(conn: asyncpg.Connection) -> None:
    """Every bench job completed; asked through the status index every 20 ms, so the
    asking costs the server next to nothing."""
    while await conn.fetchval(_UNFINISHED, JOB_TYPE):  # noqa: ASYNC110 (it reads the database)
        await asyncio.sleep(0.02)


async def _latency(conn: asyncpg.Connection, user_id: uuid.UUID, jobs: int) -> dict[str, float]:
    ids = []
    for _ in range(jobs):
        ids.append(await conn.fetchval(_ENQUEUE_ONE, user_id, JOB_TYPE))
        await asyncio.sleep(0.02)
    await _until_done(conn)
    rows = await conn.fetch(_LATENCIES, ids)
    start = sorted(float(r[0]) for r in rows)
    done = sorted(float(r[1]) for r in rows)
    return {
        "start_p50": statistics.median(start),
        "start_p95": _percentile(start, 95),
        "start_max": start[-1],
        "done_p50": statistics.median(done),
        "done_p95": _percentile(done, 95),
    }


async def run(url: str, workers: int, concurrency: int, jobs: int, latency_jobs: int) -> None:
    migrations.apply(url)
    conn = await connect(url)
    try:
        await conn.execute("DELETE FROM processing_jobs WHERE job_type = $1", JOB_TYPE)
        name = f"queue{uuid.uuid4().hex[:8]}"
        user = await users.create(
            conn, username=name, email=f"{name}@example.com", password_hash=PASSWORD_HASH
        )
        print(f"{workers} worker processes x {concurrency} jobs at a time, {os.cpu_count()} CPUs")

        pool = Workers(url, workers, concurrency, listen=True)
        try:
            await asyncio.sleep(1.5)  # every worker idle, waiting
            woken = await _latency(conn, user.id, latency_jobs)
            t0 = time.perf_counter()
            await conn.execute(_ENQUEUE_MANY, user.id, JOB_TYPE, jobs)
            await _until_done(conn)
            elapsed = time.perf_counter() - t0
        finally:
            pool.stop()
        print(
            f"woken (LISTEN/NOTIFY), {latency_jobs} jobs 20 ms apart: enqueue->start "
            f"p50 {woken['start_p50']:.1f} ms, p95 {woken['start_p95']:.1f} ms, "
            f"max {woken['start_max']:.1f} ms; enqueue->done p50 {woken['done_p50']:.1f} ms"
        )
        print(
            f"throughput: {jobs:,} jobs enqueued in one statement, claimed and completed in "
            f"{elapsed:.2f} s = {jobs / elapsed:,.0f} jobs/s"
        )

        pool = Workers(url, workers, concurrency, listen=False)
        try:
            await asyncio.sleep(1.5)
            polled = await _latency(conn, user.id, latency_jobs // 4)
        finally:
            pool.stop()
        print(
            f"polled every {POLL_SECONDS:.0f} s (LISTEN off), {latency_jobs // 4} jobs: "
            f"enqueue->start p50 {polled['start_p50']:.1f} ms, p95 {polled['start_p95']:.1f} ms"
            f"; the woken p50 is {polled['start_p50'] / max(woken['start_p50'], 0.01):.0f}x "
            "lower"
        )
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4, help="worker processes")
    parser.add_argument("--concurrency", type=int, default=8, help="jobs at a time per worker")
    parser.add_argument("--jobs", type=int, default=20_000, help="jobs for the throughput run")
    parser.add_argument("--latency-jobs", type=int, default=200, help="jobs for the latency run")
    args = parser.parse_args()
    server = None
    if os.environ.get("DATABASE_URL"):
        url = _bench_database(os.environ["DATABASE_URL"], "tubebase_queue_bench")
    else:
        from service.tooling.embedded import EmbeddedPostgres

        data_dir = Path(tempfile.mkdtemp(prefix="tubebase-queue-bench-"))
        server = EmbeddedPostgres(data_dir / "pg", ephemeral=True)
        url = server.ensure_database("tubebase_queue_bench")
    try:
        asyncio.run(run(url, args.workers, args.concurrency, args.jobs, args.latency_jobs))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
