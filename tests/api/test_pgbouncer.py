"""The service behind PgBouncer in transaction mode (the Debian package, 1.18: no
prepared statements across server connections), as README "Scaling out" sets it
up: TUBEBASE_STATEMENT_CACHE_SIZE=0, the session timeouts set by PgBouncer's
connect_query, and the migrations on DATABASE_DIRECT_URL. Requests run
concurrently so that one client's statements land on different server connections.
(TEST_THROUGH_PGBOUNCER=1 sends the whole HTTP suite through PgBouncer too.)

Runs when the `pgbouncer` binary is installed (apt install pgbouncer); it stands
in front of the test server the rest of the suite uses."""

import asyncio
from collections.abc import Callable, Iterator

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.db import create_pool
from service.settings import load_settings
from service.tooling import migrations
from tests.pgbouncer import PGBOUNCER, STATEMENT_TIMEOUT_MS, pgbouncer_in_front_of

pytestmark = pytest.mark.skipif(
    PGBOUNCER is None, reason="pgbouncer is not installed (apt install pgbouncer)"
)


@pytest.fixture(scope="module")
def direct_url(make_database: Callable[[], str]) -> str:
    url = make_database()
    migrations.apply(url)
    return url


@pytest.fixture(scope="module")
def pooled_url(direct_url: str) -> Iterator[str]:
    with pgbouncer_in_front_of(direct_url) as url:
        yield url


async def test_a_named_prepared_statement_does_not_survive_pgbouncer(pooled_url: str) -> None:
    """Why the setting exists: with asyncpg's default cache the service's own pool
    breaks here."""
    pool = await create_pool(pooled_url, min_size=4, max_size=8)  # statement_cache_size=100
    try:

        async def read(i: int) -> int:
            async with pool.acquire() as conn:
                value: int = await conn.fetchval("SELECT $1::int + 1", i)
                return value

        with pytest.raises(asyncpg.PostgresError):
            for _ in range(5):
                await asyncio.gather(*(read(i) for i in range(50)))
    finally:
        await pool.close()


async def test_the_http_contract_holds_through_pgbouncer_with_the_cache_off(
    pooled_url: str, direct_url: str
) -> None:
    settings = load_settings(
        {
            "DATABASE_URL": pooled_url,
            "DATABASE_DIRECT_URL": direct_url,
            "TUBEBASE_STATEMENT_CACHE_SIZE": "0",
            "TUBEBASE_POOL_MIN_SIZE": "2",
            "TUBEBASE_POOL_MAX_SIZE": "20",
        }
    )
    app = create_app(settings, pooled_url)
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/health/ready")).status_code == 200

        async def account(name: str) -> dict[str, str]:
            body = {"username": name, "email": f"{name}@example.com", "password": "pw-" + "x" * 12}
            assert (await client.post("/auth/register", json=body)).status_code == 201
            login = await client.post(
                "/auth/login", json={"login": name, "password": body["password"]}
            )
            assert login.status_code == 200, login.text
            return {"authorization": f"Bearer {login.json()['token']}"}

        alice, bob = await asyncio.gather(account("pgb_alice"), account("pgb_bob"))
        made = await client.post(
            "/conversations", json={"title": "through the pooler"}, headers=alice
        )
        assert made.status_code == 201, made.text
        conversation = made.json()["id"]

        async def post(i: int) -> int:
            sent = await client.post(
                f"/conversations/{conversation}/messages",
                json={"role": "user", "content": f"message {i}"},
                headers=alice,
            )
            return sent.status_code

        assert set(await asyncio.gather(*(post(i) for i in range(60)))) == {201}
        pages = await asyncio.gather(
            *(
                client.get(f"/conversations/{conversation}/messages?limit=50", headers=alice)
                for _ in range(20)
            )
        )
        assert {p.status_code for p in pages} == {200}
        assert {p.headers["x-total-count"] for p in pages} == {"60"}
        assert all(len(p.json()) == 50 for p in pages)
        theirs = await client.get(f"/conversations/{conversation}/messages", headers=bob)
        assert theirs.status_code == 404

        ingested = await client.post(
            "/transcripts",
            json={
                "youtube_video_id": "pgbouncer01",
                "transcript_text": "Pooled connections share prepared statements poorly. " * 40,
            },
            headers=alice,
        )
        assert ingested.status_code == 201, ingested.text
        found = await client.get("/search?q=prepared statements", headers=alice)
        assert found.status_code == 200 and found.json(), found.text
        assert (await client.get("/search?q=prepared statements", headers=bob)).json() == []

    conn = await asyncpg.connect(pooled_url, statement_cache_size=0)
    try:
        # The timeouts arrive by PgBouncer's connect_query, not as startup parameters
        # (and would not survive a client's RESET ALL: tubebase's pools send none).
        assert await conn.fetchval("SHOW statement_timeout") == f"{STATEMENT_TIMEOUT_MS}ms"
    finally:
        await conn.close()
