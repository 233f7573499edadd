"""Failing fast instead of stalling: a held lock, a statement past its timeout, an
exhausted pool, a full CPU queue and a PostgreSQL restart answer 503 with
Retry-After (never 500, never a hang) while unrelated routes still answer, and the
service recovers by itself. Asserted by behaviour and ordering, not by timings."""

import asyncio
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service import security
from service.api.app import create_app
from service.cluster import LocalCluster
from service.cpu import NICENESS
from service.settings import load_settings
from service.tooling import migrations
from tests.api.helpers import create_conversation
from tests.net import free_port

Client = AsyncTestClient[Litestar]


@asynccontextmanager
async def service(database_url: str, **env: str) -> AsyncIterator[Client]:
    settings = load_settings({"TUBEBASE_POOL_MIN_SIZE": "1", **env})
    async with AsyncTestClient(app=create_app(settings, database_url)) as client:
        yield client


async def sign_in(client: Client | httpx.AsyncClient, name: str) -> dict[str, str]:
    password = f"pw-{name}-long"
    await client.post(
        "/auth/register",
        json={"username": name, "email": f"{name}@example.com", "password": password},
    )
    login = await client.post("/auth/login", json={"login": name, "password": password})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


def assert_unavailable(response: Any, *words: str) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    body = response.json()
    assert body["status_code"] == 503
    for word in words:
        assert word in body["detail"], body


@pytest.fixture
async def private_database(make_database: Callable[[], str]) -> str:
    url = make_database()
    await asyncio.to_thread(migrations.apply, url)
    return url


async def test_a_held_table_lock_is_503_within_the_lock_timeout_and_stalls_nothing_else(
    private_database: str,
) -> None:
    async with service(private_database, TUBEBASE_LOCK_TIMEOUT_MS="300") as client:
        alice = await sign_in(client, "alice")
        chat = (await create_conversation(client, alice))["id"]
        holder = await asyncpg.connect(private_database)
        try:
            await holder.execute("BEGIN; LOCK TABLE messages IN ACCESS EXCLUSIVE MODE")
            blocked = await client.get(f"/conversations/{chat}/messages", headers=alice)
            assert_unavailable(blocked, "lock")
            written = await client.post(
                f"/conversations/{chat}/messages",
                json={"role": "user", "content": "hi"},
                headers=alice,
            )
            assert_unavailable(written, "lock")
            # Routes that do not need messages are not held up.
            assert (await client.get("/users/me", headers=alice)).status_code == 200
            assert (await client.get(f"/conversations/{chat}", headers=alice)).status_code == 200
            await holder.execute("ROLLBACK")
        finally:
            await holder.close()
        assert (
            await client.get(f"/conversations/{chat}/messages", headers=alice)
        ).status_code == 200


async def test_a_statement_past_the_statement_timeout_is_503(private_database: str) -> None:
    env = {"TUBEBASE_LOCK_TIMEOUT_MS": "0", "TUBEBASE_STATEMENT_TIMEOUT_MS": "300"}
    async with service(private_database, **env) as client:
        alice = await sign_in(client, "alice")
        chat = (await create_conversation(client, alice))["id"]
        holder = await asyncpg.connect(private_database)
        try:
            await holder.execute("BEGIN; LOCK TABLE messages IN ACCESS EXCLUSIVE MODE")
            response = await client.get(f"/conversations/{chat}/messages", headers=alice)
            assert_unavailable(response, "statement timeout")
        finally:
            await holder.close()


async def test_an_exhausted_pool_is_503_and_frees_up(private_database: str) -> None:
    env = {"TUBEBASE_POOL_MAX_SIZE": "2", "TUBEBASE_POOL_ACQUIRE_TIMEOUT_MS": "200"}
    # Served in this event loop, so that the test may hold the app's own pool
    # connections (an asyncpg pool belongs to the loop that made it).
    async with (
        served(private_database, **env) as (base, app),
        httpx.AsyncClient(base_url=base, timeout=60) as client,
    ):
        alice = await sign_in(client, "alice")
        pool: asyncpg.Pool = app.state.pool
        taken = [await pool.acquire(), await pool.acquire()]
        try:
            assert_unavailable(await client.get("/users/me", headers=alice), "connection")
            assert (await client.get("/health/live")).status_code == 200
        finally:
            for conn in taken:
                await pool.release(conn)
        assert (await client.get("/users/me", headers=alice)).status_code == 200


class CountingPool:
    """The app's pool, counting the connections asked of it."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.acquires = 0

    def acquire(self) -> Any:
        self.acquires += 1
        return self.pool.acquire()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.pool, name)


async def test_an_exhausted_pool_is_503_after_one_wait_where_the_statement_checks_the_token(
    private_database: str,
) -> None:
    """Adding and listing messages check the token inside their statement: an outage's
    503 goes out without a second wait for a token lookup, and a 400 that would need
    one (to rule out a dead token) becomes that lookup's 503."""
    env = {"TUBEBASE_POOL_MAX_SIZE": "2", "TUBEBASE_POOL_ACQUIRE_TIMEOUT_MS": "200"}
    async with (
        served(private_database, **env) as (base, app),
        httpx.AsyncClient(base_url=base, timeout=60) as client,
    ):
        alice = await sign_in(client, "alice")
        dead = {"Authorization": "Bearer not-a-live-token"}
        messages = f"/conversations/{(await create_conversation(client, alice))['id']}/messages"
        pool: asyncpg.Pool = app.state.pool
        counting = app.state.pool = CountingPool(pool)
        taken = [await pool.acquire(), await pool.acquire()]
        try:
            answers = [
                await client.post(messages, json={"role": "user", "content": "x"}, headers=dead),
                await client.get(messages, headers=alice),
                await client.post(messages, json={"role": "robot", "content": "x"}, headers=dead),
            ]
        finally:
            for conn in taken:
                await pool.release(conn)
            app.state.pool = pool
        for answer in answers:
            assert_unavailable(answer, "connection")
        assert counting.acquires == len(answers)
        assert (await client.get(messages, headers=alice)).status_code == 200


@asynccontextmanager
async def served(database_url: str, **env: str) -> AsyncIterator[tuple[str, Litestar]]:
    """The app behind a real uvicorn on a free port, in this event loop: requests
    then really run side by side (the ASGI test client hands them over one by one)."""
    settings = load_settings({"TUBEBASE_POOL_MIN_SIZE": "1", **env})
    app = create_app(settings, database_url)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        await task


async def test_a_full_cpu_queue_is_503_and_never_blocks_liveness(
    private_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Real argon2 cost here, so that logins queue up behind the two hashing threads.
    monkeypatch.setattr(security, "_hasher", PasswordHasher())
    env = {
        "TUBEBASE_CPU_WORKERS": "2",
        "TUBEBASE_CPU_QUEUE": "6",
        "TUBEBASE_POOL_MAX_SIZE": "50",
        # 40 wrong passwords for one account: login throttling (a 429 once a few have
        # failed) is not what this test is about.
        "TUBEBASE_LOGIN_ACCOUNT_FAILURES": "1000",
        "TUBEBASE_LOGIN_ADDRESS_FAILURES": "1000",
    }
    async with (
        served(private_database, **env) as (base, app),
        httpx.AsyncClient(base_url=base, timeout=60) as client,
    ):
        password = "pw-alice-long"
        registered = await client.post(
            "/auth/register",
            json={"username": "alice", "email": "alice@example.com", "password": password},
        )
        assert registered.status_code == 201, registered.text
        finished: list[str] = []

        async def login() -> int:
            response = await client.post(
                "/auth/login", json={"login": "alice", "password": "wrong-password"}
            )
            finished.append("login")
            return response.status_code

        async def live() -> int:
            while app.state.cpu.pending < app.state.cpu.workers:  # noqa: ASYNC110 - polls the pool
                await asyncio.sleep(0.005)
            response = await client.get("/health/live")
            finished.append("live")
            return response.status_code

        *codes, live_code = await asyncio.gather(*(login() for _ in range(40)), live())
        assert live_code == 200
        # Never more than workers + queue hashes at once; the rest were told to come back.
        cpu = app.state.cpu
        assert cpu.peak == cpu.limit == 8
        assert set(codes) == {401, 503}
        # The liveness probe did not wait behind the hashing.
        assert finished.index("live") < len(finished) - 1
        assert cpu.pending == 0


def _niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def _niceness_of_a_thread_started_here() -> int:
    """What argon2's lane threads get: a thread started by a pool thread."""
    found: list[int] = []
    started = threading.Thread(target=lambda: found.append(_niceness()))
    started.start()
    started.join()
    return found[0]


@pytest.mark.skipif(sys.platform != "linux", reason="a priority of its own per thread is Linux's")
async def test_cpu_bound_work_runs_below_the_event_loops_priority(database_url: str) -> None:
    async with service(database_url) as client:
        cpu = client.app.state.cpu
        loop_niceness = _niceness()
        lowered = min(loop_niceness + NICENESS, 19)  # 19 is the lowest priority there is
        assert await cpu.run(_niceness) == lowered
        assert await cpu.run(_niceness_of_a_thread_started_here) == lowered
        assert _niceness() == loop_niceness


@pytest.fixture(scope="module")
def restartable() -> Iterator[LocalCluster]:
    """A PostgreSQL of this module's own, which the test may stop and start."""
    cluster = LocalCluster(Path(tempfile.mkdtemp(prefix="tubebase-test-")) / "pg", free_port())
    cluster.init()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.remove()
        shutil.rmtree(cluster.pgdata.parent, ignore_errors=True)


async def test_a_postgresql_restart_is_503_then_service_resumes_by_itself(
    restartable: LocalCluster,
) -> None:
    url = await asyncio.to_thread(restartable.create_database, "restart")
    await asyncio.to_thread(migrations.apply, url)
    env = {"TUBEBASE_POOL_ACQUIRE_TIMEOUT_MS": "500"}
    async with service(url, **env) as client:
        alice = await sign_in(client, "alice")
        chat = (await create_conversation(client, alice))["id"]
        await asyncio.to_thread(restartable.stop, "immediate")
        statuses = set()
        for path in ("/users/me", f"/conversations/{chat}/messages", "/health/ready"):
            response = await client.get(path, headers=alice)
            statuses.add(response.status_code)
            assert response.status_code == 503, (path, response.text)
            assert response.headers["retry-after"] == "1"
        await asyncio.to_thread(restartable.start)
        recovered = None
        for _ in range(100):
            response = await client.get(f"/conversations/{chat}/messages", headers=alice)
            assert response.status_code in (200, 503), response.text
            if response.status_code == 200:
                recovered = response
                break
            await asyncio.sleep(0.1)
        assert recovered is not None, "the service did not recover after PostgreSQL came back"
        posted = await client.post(
            f"/conversations/{chat}/messages",
            json={"role": "user", "content": "back"},
            headers=alice,
        )
        assert posted.status_code == 201, posted.text


async def test_ready_is_503_while_the_schema_is_behind(private_database: str) -> None:
    async with service(private_database) as client:
        assert (await client.get("/health/ready")).status_code == 200
        await asyncio.to_thread(migrations.rollback, private_database, 1)
        behind = await client.get("/health/ready")
        assert behind.status_code == 503
        assert "1 of" in behind.json()["database"] and "db apply" in behind.json()["database"]
        await asyncio.to_thread(migrations.apply, private_database)
        assert (await client.get("/health/ready")).status_code == 200
