"""The service behind PgBouncer in transaction mode (the Debian package, 1.18: no
prepared statements across server connections), as README "Scaling out" sets it
up: TUBEBASE_STATEMENT_CACHE_SIZE=0, the session timeouts set by PgBouncer's
connect_query, and the migrations on DATABASE_DIRECT_URL. Requests run
concurrently so that one client's statements land on different server connections.

Runs when the `pgbouncer` binary is installed (apt install pgbouncer); it stands
in front of the test server the rest of the suite uses."""

import asyncio
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.db import create_pool
from service.settings import load_settings
from service.tooling import migrations

PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
)
pytestmark = pytest.mark.skipif(
    PGBOUNCER is None, reason="pgbouncer is not installed (apt install pgbouncer)"
)

STATEMENT_TIMEOUT_MS = 12_345
CONNECT_QUERY = f"connect_query='SET statement_timeout = {STATEMENT_TIMEOUT_MS}'"
IGNORED = "extra_float_digits,statement_timeout,lock_timeout,idle_in_transaction_session_timeout"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def direct_url(make_database: Callable[[], str]) -> str:
    url = make_database()
    migrations.apply(url)
    return url


@pytest.fixture(scope="module")
def pooled_url(direct_url: str) -> Iterator[str]:
    parts = urlsplit(direct_url)
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    host = unquote(query.get("host") or parts.hostname or "localhost")
    port = parts.port or 5432
    user = unquote(parts.username or "postgres")
    password = unquote(parts.password or "")
    database = parts.path.lstrip("/")
    listen = _free_port()
    folder = Path(tempfile.mkdtemp(prefix="tubebase-pgbouncer-"))
    (folder / "users.txt").write_text(f'"{user}" "{password}"\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
{database} = host={host} port={port} dbname={database} {CONNECT_QUERY}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
default_pool_size = 5
max_client_conn = 200
ignore_startup_parameters = {IGNORED}
logfile = {folder / "pgbouncer.log"}
"""
    )
    command = [str(PGBOUNCER), str(folder / "pgbouncer.ini")]
    if os.getuid() == 0:  # PgBouncer will not run as root: as the owner of the socket
        owner = os.stat(host).st_uid if host.startswith("/") else pwd.getpwnam("nobody").pw_uid
        shutil.chown(folder, user=owner)
        for item in folder.iterdir():
            shutil.chown(item, user=owner)
        command[1:1] = ["-u", pwd.getpwuid(owner).pw_name]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", listen), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = folder / "pgbouncer.log"
                    pytest.fail(
                        f"pgbouncer did not start: {log.read_text() if log.exists() else ''}"
                    )
                time.sleep(0.05)
        yield f"postgresql://{user}:{password}@127.0.0.1:{listen}/{database}"
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


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
