"""Migration 0014's NOTIFY on a queued job, and the worker that LISTENs for it: an idle
worker whose poll is a minute away still claims a new job at once."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import pytest

from service import worker as worker_module
from service.db import connect, create_pool
from service.queries import processing_jobs, users
from service.queries.processing_jobs import Backoff, Job, NewJob
from service.queries.users import User
from service.settings import load_settings
from service.tooling import migrations
from service.worker import JOBS_CHANNEL, Worker
from tests.net import SilentProxy

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"
NEVER = 600.0  # a poll that never comes within a test: only a notification wakes the worker
WITHIN = 20.0  # how long a test waits for what a notification should bring at once


@pytest.fixture(scope="module")
def url(make_database: Callable[[], str]) -> str:
    made = make_database()
    migrations.apply(made)
    return made


@pytest.fixture
async def user(url: str) -> User:
    conn = await connect(url)
    try:
        name = f"u{uuid.uuid4().hex[:12]}"
        return await users.create(
            conn, username=name, email=f"{name}@example.com", password_hash=HASH
        )
    finally:
        await conn.close()


async def _enqueue(url: str, user: User, job_type: str = "noop") -> Job:
    conn = await connect(url)
    try:
        job, _ = await processing_jobs.enqueue(conn, user_id=user.id, job=NewJob(job_type=job_type))
        return job
    finally:
        await conn.close()


@pytest.fixture
async def notifications(url: str) -> AsyncIterator[asyncio.Queue[str]]:
    received: asyncio.Queue[str] = asyncio.Queue()
    conn = await asyncpg.connect(url)
    await conn.add_listener(JOBS_CHANNEL, lambda *args: received.put_nowait(args[2]))
    try:
        yield received
    finally:
        await conn.close()


async def _drained(received: asyncio.Queue[str]) -> int:
    await asyncio.sleep(0.3)  # a notification is delivered right after its commit
    count = received.qsize()
    while not received.empty():
        received.get_nowait()
    return count


async def test_queueing_a_job_notifies_once_per_statement(
    url: str, user: User, notifications: asyncio.Queue[str]
) -> None:
    await _enqueue(url, user)
    assert await _drained(notifications) == 1

    conn = await connect(url)
    try:
        async with conn.transaction():
            for _ in range(5):
                await processing_jobs.enqueue(conn, user_id=user.id, job=NewJob(job_type="noop"))
    finally:
        await conn.close()
    assert await _drained(notifications) == 1  # PostgreSQL folds a transaction's repeats


async def test_claiming_and_completing_notify_nothing_but_a_retry_does(
    url: str, user: User, notifications: asyncio.Queue[str]
) -> None:
    job = await _enqueue(url, user, job_type="wakeup_retry")
    await _drained(notifications)
    conn = await connect(url)
    try:
        (claimed,) = await processing_jobs.claim(
            conn, user_id=user.id, worker="w", limit=1, job_types=["wakeup_retry"]
        )
        assert claimed.id == job.id
        assert await _drained(notifications) == 0

        failed = await processing_jobs.fail(
            conn, job_id=job.id, user_id=user.id, error_message="try again",
            backoff=Backoff(0, 0), worker="w",
        )  # fmt: skip
        assert failed is not None and failed.status == "queued"
        assert await _drained(notifications) == 1

        (again,) = await processing_jobs.claim(
            conn, user_id=user.id, worker="w", limit=1, job_types=["wakeup_retry"]
        )
        done = await processing_jobs.complete(
            conn, job_id=again.id, user_id=user.id, result={}, worker="w"
        )
        assert done is not None and done.status == "completed"
        assert await _drained(notifications) == 0
    finally:
        await conn.close()


async def _run_worker(
    url: str, listen_url: str | None, job_type: str
) -> tuple[asyncio.Event, Any, list[Job]]:
    """A worker of its own job type (jobs other tests left queued are not its)."""
    ran: list[Job] = []

    async def noop(db: asyncpg.Connection, job: Job, settings: Any) -> dict[str, str]:
        ran.append(job)
        return {"ok": "yes"}

    pool = await create_pool(url, min_size=1, max_size=3)
    worker = Worker(pool, load_settings({}), concurrency=2, handlers={job_type: noop})
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run_forever(stop, poll_seconds=NEVER, listen_url=listen_url))

    async def finish() -> None:
        stop.set()
        await asyncio.wait_for(task, WITHIN)
        await pool.close()

    return stop, finish, ran


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(WITHIN):
        while not condition():  # noqa: ASYNC110 (what it waits for is another task's list)
            await asyncio.sleep(0.02)


async def test_an_idle_worker_claims_a_new_job_at_once_instead_of_at_its_poll(
    url: str, user: User
) -> None:
    _, finish, ran = await _run_worker(url, listen_url=url, job_type="wakeup_at_once")
    try:
        await asyncio.sleep(0.5)  # the worker has found nothing and waits out its poll
        job = await _enqueue(url, user, "wakeup_at_once")
        await _until(lambda: [j.id for j in ran] == [job.id])
        second = await _enqueue(url, user, "wakeup_at_once")
        await _until(lambda: [j.id for j in ran] == [job.id, second.id])
    finally:
        await finish()


async def test_without_listen_the_worker_waits_for_its_poll(url: str, user: User) -> None:
    _, finish, ran = await _run_worker(url, listen_url=None, job_type="wakeup_polled")
    try:
        await asyncio.sleep(0.5)
        await _enqueue(url, user, "wakeup_polled")
        await asyncio.sleep(1.5)
        assert ran == []  # the poll is ten minutes away: nothing else wakes it
    finally:
        await finish()


async def _listener_pids(admin: asyncpg.Connection) -> list[int]:
    return [
        r[0]
        for r in await admin.fetch(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND query LIKE 'LISTEN%'"
        )
    ]


async def test_the_worker_listens_again_after_its_connection_is_cut(url: str, user: User) -> None:
    _, finish, ran = await _run_worker(url, listen_url=url, job_type="wakeup_relisten")
    admin = await asyncpg.connect(url)
    try:
        await _until_async(lambda: _listener_pids(admin), lambda pids: len(pids) == 1)
        (cut,) = await _listener_pids(admin)
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", cut)

        await _until_async(
            lambda: _listener_pids(admin), lambda pids: len(pids) == 1 and pids[0] != cut
        )
        job = await _enqueue(url, user, "wakeup_relisten")
        await _until(lambda: [j.id for j in ran] == [job.id])
    finally:
        await admin.close()
        await finish()


async def test_the_worker_listens_again_when_its_connection_goes_silent(
    url: str, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A LISTEN connection whose peer vanished without closing it (a dropped NAT
    entry) delivers nothing and reports nothing; the worker's periodic question on it
    goes unanswered, and it listens on a new connection."""
    monkeypatch.setattr(worker_module, "LISTEN_CHECK_SECONDS", 0.3)
    async with SilentProxy(url) as proxy:
        _, finish, ran = await _run_worker(url, listen_url=proxy.url, job_type="wakeup_silent")
        try:
            await _until(lambda: proxy.connections == 1)
            proxy.silence()
            await _until(lambda: proxy.connections == 2)  # the check timed out: a new LISTEN

            monkeypatch.setattr(worker_module, "LISTEN_CHECK_SECONDS", NEVER)
            await asyncio.sleep(1.0)  # the last short wait has run out; the next is NEVER
            job = await _enqueue(url, user, "wakeup_silent")
            await _until(lambda: [j.id for j in ran] == [job.id])  # woken by the new one
            assert proxy.connections == 2
        finally:
            await finish()


async def _until_async(read: Callable[[], Any], condition: Callable[[Any], bool]) -> None:
    async with asyncio.timeout(WITHIN):
        while not condition(await read()):  # noqa: ASYNC110 (it reads the database)
            await asyncio.sleep(0.05)


async def _worker_with(
    url: str, handlers: dict[str, Any], concurrency: int, env: dict[str, str] | None = None
) -> Any:
    pool = await create_pool(url, min_size=1, max_size=concurrency + 2)
    worker = Worker(pool, load_settings(env or {}), concurrency=concurrency, handlers=handlers)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run_forever(stop, poll_seconds=0.3, listen_url=url))

    async def finish() -> None:
        stop.set()
        await asyncio.wait_for(task, WITHIN)
        await pool.close()

    return finish


async def test_a_job_longer_than_the_stale_time_runs_once_and_completes(
    url: str, user: User
) -> None:
    """Its worker renews the lock while it runs, so no reclaim (its own included)
    takes it back and runs it again beside itself."""
    runs: list[Job] = []

    async def long(db: asyncpg.Connection, job: Job, settings: Any) -> dict[str, int]:
        runs.append(job)
        await asyncio.sleep(3)
        return {"runs": len(runs)}

    finish = await _worker_with(
        url, {"wakeup_long_job": long}, 2, {"TUBEBASE_JOB_STALE_SECONDS": "1"}
    )
    try:
        job = await _enqueue(url, user, "wakeup_long_job")
        conn = await connect(url)
        try:

            async def status() -> str | None:
                found = await processing_jobs.get_by_id(conn, job_id=job.id, user_id=user.id)
                return None if found is None else found.status

            await _until_async(status, lambda s: s == "completed")
            done = await processing_jobs.get_by_id(conn, job_id=job.id, user_id=user.id)
        finally:
            await conn.close()
        assert done is not None and (done.attempts, done.result) == (1, {"runs": 1})
        assert len(runs) == 1
    finally:
        await finish()


async def test_a_free_slot_takes_a_new_job_while_long_ones_run(url: str, user: User) -> None:
    release = asyncio.Event()
    quick_ran = asyncio.Event()

    async def long(db: asyncpg.Connection, job: Job, settings: Any) -> dict[str, bool]:
        await release.wait()
        return {}

    async def quick(db: asyncpg.Connection, job: Job, settings: Any) -> dict[str, bool]:
        quick_ran.set()
        return {}

    finish = await _worker_with(url, {"wakeup_slot_long": long, "wakeup_slot_quick": quick}, 4)
    try:
        for _ in range(3):  # three of four slots taken, one free: less than half
            await _enqueue(url, user, "wakeup_slot_long")
        await asyncio.sleep(1)
        await _enqueue(url, user, "wakeup_slot_quick")
        await asyncio.wait_for(quick_ran.wait(), WITHIN)  # before any long job ends
        assert not release.is_set()
    finally:
        release.set()
        await finish()
