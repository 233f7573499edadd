"""DATABASE_READ_URL against a real streaming replica (service/cluster.py: the
embedded default's binaries, pg_basebackup): the heavy reads go to it, a caller
always reads their own writes, and a replica that lags or is down leaves the read
to the primary."""

import asyncio
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.cluster import LocalCluster
from service.settings import load_settings
from service.tooling import migrations
from tests.net import free_port

MAX_WAIT_MS = 300


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[LocalCluster, LocalCluster, str, str]]:
    parent = Path(tempfile.mkdtemp(prefix="tubebase-replica-test-"))
    primary = LocalCluster(parent / "primary", free_port())
    replica = LocalCluster(parent / "replica", free_port())
    try:
        primary.init()
        primary.start()
        url = primary.create_database("tubebase")
        migrations.apply(url)
        replica.replicate(primary)
        replica.start()
        yield primary, replica, url, replica.url("tubebase")
    finally:
        replica.remove()
        primary.remove()


@pytest.fixture(scope="module")
async def client(
    servers: tuple[LocalCluster, LocalCluster, str, str],
) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    _, _, primary_url, replica_url = servers
    settings = load_settings(
        {
            "DATABASE_READ_URL": replica_url,
            "TUBEBASE_REPLICA_MAX_WAIT_MS": str(MAX_WAIT_MS),
            "TUBEBASE_POOL_MAX_SIZE": "5",
        }
    )
    async with AsyncTestClient(app=create_app(settings, primary_url)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
async def alice(client: AsyncTestClient) -> dict[str, str]:  # type: ignore[type-arg]
    body = {"username": "replica_alice", "email": "ra@example.com", "password": "x" * 16}
    assert (await client.post("/auth/register", json=body)).status_code == 201
    login = await client.post("/auth/login", json={"login": "replica_alice", "password": "x" * 16})
    return {"authorization": f"Bearer {login.json()['token']}"}


async def _reads(client: AsyncTestClient) -> dict[str, int]:  # type: ignore[type-arg]
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    counts: dict[str, int] = ready.json()["replica_reads"]
    return counts


async def _conversation(client: Any, alice: dict[str, str]) -> str:
    made = await client.post("/conversations", json={"title": "replicated"}, headers=alice)
    assert made.status_code == 201
    conversation: str = made.json()["id"]
    return conversation


async def _post(client: Any, alice: dict[str, str], conversation: str, text: str) -> None:
    sent = await client.post(
        f"/conversations/{conversation}/messages",
        json={"role": "user", "content": text},
        headers=alice,
    )
    assert sent.status_code == 201


async def _listed(client: Any, alice: dict[str, str], conversation: str) -> list[str]:
    page = await client.get(f"/conversations/{conversation}/messages?limit=100", headers=alice)
    assert page.status_code == 200, page.text
    return [m["content"] for m in page.json()]


async def test_lists_come_from_the_replica_with_the_callers_own_writes(
    client: AsyncTestClient,  # type: ignore[type-arg]
    alice: dict[str, str],
) -> None:
    conversation = await _conversation(client, alice)
    before = await _reads(client)
    for i in range(10):
        await _post(client, alice, conversation, f"message {i}")
        # read right after each write: the replica must have it, or not serve the read
        assert await _listed(client, alice, conversation) == [f"message {j}" for j in range(i + 1)]
    after = await _reads(client)
    assert after["served"] > before["served"]


async def test_a_lagging_replica_leaves_the_read_to_the_primary(
    client: AsyncTestClient,  # type: ignore[type-arg]
    alice: dict[str, str],
    servers: tuple[LocalCluster, LocalCluster, str, str],
) -> None:
    replica_url = servers[3]
    conversation = await _conversation(client, alice)
    standby = await asyncpg.connect(replica_url)
    try:
        await standby.execute("SELECT pg_wal_replay_pause()")
        before = await _reads(client)
        await _post(client, alice, conversation, "written while the replica is paused")
        assert await _listed(client, alice, conversation) == ["written while the replica is paused"]
        assert (await _reads(client))["primary"] > before["primary"]
    finally:
        await standby.execute("SELECT pg_wal_replay_resume()")
        await standby.close()


async def test_a_replica_that_is_down_leaves_reads_to_the_primary_until_it_is_back(
    client: AsyncTestClient,  # type: ignore[type-arg]
    alice: dict[str, str],
    servers: tuple[LocalCluster, LocalCluster, str, str],
) -> None:
    replica = servers[1]
    conversation = await _conversation(client, alice)
    await _post(client, alice, conversation, "before the outage")
    replica.stop()
    try:
        before = await _reads(client)
        assert await _listed(client, alice, conversation) == ["before the outage"]
        found = await client.get("/search?q=outage", headers=alice)
        assert found.status_code == 200
        assert (await _reads(client))["primary"] >= before["primary"] + 2
    finally:
        replica.start()
    served = (await _reads(client))["served"]
    deadline = time.monotonic() + 20
    while (await _reads(client))["served"] == served:  # back in use by itself
        assert time.monotonic() < deadline, "the replica was not used again"
        await _listed(client, alice, conversation)
        await asyncio.sleep(0.2)
