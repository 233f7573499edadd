"""Hostile clients, over HTTP: escaped search snippets; login throttling per account,
per unknown login name and per client address (state in PostgreSQL); usernames
unique whatever their case and the password policy; time stamps PostgreSQL would
store as something else; caps on chunks, overlap, body size and bulk writes; strict
bodies (JSON in UTF-8 only, no lax conversion, no NUL, no database wording, no
request smuggling); security headers and CORS on every answer; and meetings that
start their lifecycle at the start.

Time never passes in these tests: a wait "runs out" by moving the row's
login_locked_until (or locked_until) into the past, a failure "gets old" by moving
its time stamp back. What is asserted is the answer and the rows."""

import asyncio
import base64
import json
import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from httpx import Response
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.chunking import MAX_CHUNKS
from service.settings import load_settings
from service.tooling import migrations
from tests.api.conftest import Account, SignUp
from tests.api.helpers import (
    Client,
    Headers,
    assert_bad_request,
    create_conversation,
    create_meeting,
    create_video,
    ingest,
    new_youtube_video_id,
    put_synthesis,
)
from tests.net import free_port

NO_STORE = "no-store"
TOO_MANY = re.compile(r"^too many failed logins: try again in (\d+) s$")


def strong(name: str) -> str:
    """A password the policy accepts for the account `name`."""
    return f"pw-{name}-long"


async def register(
    client: httpx.AsyncClient,
    username: str,
    *,
    password: str | None = None,
    email: str | None = None,
) -> Response:
    return await client.post(
        "/auth/register",
        json={
            "username": username,
            "email": email or f"{username}@example.com",
            "password": strong(username) if password is None else password,
        },
    )


async def log_in(client: httpx.AsyncClient, login: str, password: str) -> Response:
    return await client.post("/auth/login", json={"login": login, "password": password})


def assert_security_headers(response: Response, *, docs: bool = False) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff", dict(headers)
    assert headers["x-frame-options"] == "DENY", dict(headers)
    assert headers["referrer-policy"] == "no-referrer", dict(headers)
    policy = headers["content-security-policy"]
    if docs:
        assert "'self'" in policy, policy
        assert "default-src 'none'" not in policy, policy
    else:
        assert policy.startswith("default-src 'none'"), policy


def assert_too_many(response: Response, *, at_most: int, at_least: int = 1) -> int:
    """A 429 whose Retry-After (and detail) name the seconds left; returns them."""
    assert response.status_code == 429, response.text
    seconds = int(response.headers["retry-after"])
    assert at_least <= seconds <= at_most, seconds
    body = response.json()
    assert body["status_code"] == 429
    found = TOO_MANY.match(body["detail"])
    assert found is not None, body
    assert int(found.group(1)) == seconds
    assert_security_headers(response)
    return seconds


# --- a private service: settings of its own, a database of its own -----------------------


@pytest.fixture
async def private_database(make_database: Callable[[], str]) -> str:
    url = make_database()
    await asyncio.to_thread(migrations.apply, url)
    return url


@asynccontextmanager
async def service(database_url: str, **env: str) -> AsyncIterator[Client]:
    settings = load_settings({"TUBEBASE_POOL_MIN_SIZE": "1", **env})
    async with AsyncTestClient(app=create_app(settings, database_url)) as client:
        yield client


@asynccontextmanager
async def served(database_url: str, *, http: str = "auto", **env: str) -> AsyncIterator[int]:
    """The app behind a real uvicorn (HTTP parser `http`) on a free port of 127.0.0.1;
    yields the port."""
    settings = load_settings({"TUBEBASE_POOL_MIN_SIZE": "1", **env})
    app: Litestar = create_app(settings, database_url)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", http=http
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def from_address(port: int, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose connections come from `address` (any of 127.0.0.0/8)."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(
        transport=transport, base_url=f"http://127.0.0.1:{port}", timeout=30
    ) as client:
        yield client


@asynccontextmanager
async def connection(url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(url)
    try:
        yield conn
    finally:
        await conn.close()


async def account_row(conn: asyncpg.Connection, username: str) -> asyncpg.Record:
    row = await conn.fetchrow(
        "SELECT failed_login_count, last_failed_login_at, login_locked_until,"
        " extract(epoch FROM login_locked_until - last_failed_login_at)::float8 AS lock_seconds"
        " FROM users WHERE username = $1",
        username,
    )
    assert row is not None, username
    return row


async def throttle_row(conn: asyncpg.Connection, key: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await conn.fetchrow(
        "SELECT failures, last_failure_at, locked_until,"
        " extract(epoch FROM locked_until - last_failure_at)::float8 AS lock_seconds"
        " FROM login_throttle WHERE key = $1",
        key,
    )
    return row


async def run_out(conn: asyncpg.Connection, username: str) -> None:
    """The account's wait is over (as if its seconds had passed)."""
    await conn.execute(
        "UPDATE users SET login_locked_until = now() - interval '1 second'"
        " WHERE username = $1 AND login_locked_until IS NOT NULL",
        username,
    )


async def lock_for_ten_minutes(conn: asyncpg.Connection, username: str) -> None:
    """The account waits long enough that no test run outlasts it."""
    await conn.execute(
        "UPDATE users SET login_locked_until = now() + interval '10 minutes' WHERE username = $1",
        username,
    )


# --- 1. search snippets are escaped HTML -------------------------------------------------


async def test_a_snippet_escapes_html_in_a_server_cut_chunk(client: Client, alice: Account) -> None:
    text = "the quasar <img src=x onerror=alert(1)> shone <script>alert(2)</script> & faded"
    transcript = await ingest(client, alice.headers, text)
    assert transcript["chunk_count"] == 1

    response = await client.get("/search?q=quasar", headers=alice.headers)

    assert response.status_code == 200, response.text
    [hit] = response.json()
    snippet = hit["snippet"]
    assert "&lt;img" in snippet
    assert "<img" not in snippet and "<script" not in snippet
    assert set(re.findall(r"<[^>]*>", snippet)) == {"<mark>", "</mark>"}
    assert "<mark>quasar</mark>" in snippet
    # The chunk itself is the text as sent: escaping is for the snippet only.
    assert hit["chunk_text"] == text


async def test_a_search_term_inside_markup_is_marked_but_never_unescaped(
    client: Client, alice: Account
) -> None:
    await ingest(client, alice.headers, 'intro <img src=x onerror="alert(1)"> onerror outro')

    response = await client.get("/search?q=onerror", headers=alice.headers)

    [hit] = response.json()
    assert "<mark>onerror</mark>" in hit["snippet"]
    assert set(re.findall(r"<[^>]*>", hit["snippet"])) == {"<mark>", "</mark>"}
    assert "&quot;" in hit["snippet"]


# --- 2. login throttling -----------------------------------------------------------------


async def test_logins_wait_after_the_threshold_then_twice_as_long_up_to_the_cap(
    private_database: str,
) -> None:
    async with (
        service(private_database, TUBEBASE_LOGIN_ACCOUNT_FAILURES="3") as client,
        connection(private_database) as conn,
    ):
        assert (await register(client, "ada")).status_code == 201
        codes = [(await log_in(client, "ada", "wrong-password")).status_code for _ in range(3)]
        assert codes == [401, 401, 401]

        waits = [(await account_row(conn, "ada"))["lock_seconds"]]
        for _ in range(11):
            await run_out(conn, "ada")
            response = await log_in(client, "ada", "wrong-password")
            assert response.status_code == 401, response.text
            waits.append((await account_row(conn, "ada"))["lock_seconds"])

        assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
        row = await account_row(conn, "ada")
        assert row["failed_login_count"] == 14
        # Waiting: even the right password is a 429 that says how long to wait.
        assert_too_many(await log_in(client, "ada", strong("ada")), at_least=890, at_most=900)


async def test_the_cap_is_the_configured_longest_wait(private_database: str) -> None:
    env = {"TUBEBASE_LOGIN_ACCOUNT_FAILURES": "2", "TUBEBASE_LOGIN_MAX_WAIT_SECONDS": "5"}
    async with service(private_database, **env) as client, connection(private_database) as conn:
        assert (await register(client, "ada")).status_code == 201
        waits = []
        for _ in range(6):
            await run_out(conn, "ada")
            assert (await log_in(client, "ada", "wrong-password")).status_code == 401
            waits.append((await account_row(conn, "ada"))["lock_seconds"])

        assert waits == [None, 1, 2, 4, 5, 5]


async def test_the_wait_refuses_the_right_password_and_attempts_in_it_are_not_counted(
    private_database: str,
) -> None:
    async with (
        service(private_database, TUBEBASE_LOGIN_ACCOUNT_FAILURES="3") as client,
        connection(private_database) as conn,
    ):
        assert (await register(client, "ada")).status_code == 201
        for _ in range(3):
            assert (await log_in(client, "ada", "wrong-password")).status_code == 401
        await lock_for_ten_minutes(conn, "ada")
        before = await account_row(conn, "ada")
        address_before = await throttle_row(conn, "address:testclient")

        right = await log_in(client, "ada", strong("ada"))
        wrong = await log_in(client, "ada", "wrong-password")
        by_email = await log_in(client, "ADA@example.com", strong("ada"))

        for response in (right, wrong, by_email):
            assert_too_many(response, at_least=590, at_most=600)
        assert right.headers.keys() == wrong.headers.keys()
        assert await account_row(conn, "ada") == before
        assert await throttle_row(conn, "address:testclient") == address_before
        assert await conn.fetchval("SELECT count(*) FROM sessions") == 0


async def test_failed_logins_are_recorded_on_the_user(private_database: str) -> None:
    async with service(private_database) as client, connection(private_database) as conn:
        assert (await register(client, "ada")).status_code == 201
        fresh = await account_row(conn, "ada")
        assert (fresh["failed_login_count"], fresh["last_failed_login_at"]) == (0, None)
        assert fresh["login_locked_until"] is None

        for expected in range(1, 5):
            assert (await log_in(client, "ada", "wrong-password")).status_code == 401
            row = await account_row(conn, "ada")
            assert row["failed_login_count"] == expected
            assert row["last_failed_login_at"] is not None
            # The default threshold is 5: no wait yet.
            assert row["login_locked_until"] is None

        assert (await log_in(client, "ada", "wrong-password")).status_code == 401
        fifth = await account_row(conn, "ada")
        assert (fifth["failed_login_count"], fifth["lock_seconds"]) == (5, 1)


async def test_a_successful_login_forgets_the_accounts_failures(private_database: str) -> None:
    async with (
        service(private_database, TUBEBASE_LOGIN_ACCOUNT_FAILURES="3") as client,
        connection(private_database) as conn,
    ):
        assert (await register(client, "ada")).status_code == 201
        for _ in range(3):
            assert (await log_in(client, "ada", "wrong-password")).status_code == 401
        await run_out(conn, "ada")

        success = await log_in(client, "ada", strong("ada"))

        assert success.status_code == 200, success.text
        assert success.headers["cache-control"] == NO_STORE
        row = await account_row(conn, "ada")
        assert (row["failed_login_count"], row["last_failed_login_at"]) == (0, None)
        assert row["login_locked_until"] is None
        # Counting starts over: two more failures are below the threshold again.
        for _ in range(2):
            assert (await log_in(client, "ada", "wrong-password")).status_code == 401
        again = await account_row(conn, "ada")
        assert (again["failed_login_count"], again["login_locked_until"]) == (2, None)


async def test_failures_older_than_the_window_are_forgotten(private_database: str) -> None:
    env = {"TUBEBASE_LOGIN_ACCOUNT_FAILURES": "3", "TUBEBASE_LOGIN_WINDOW_SECONDS": "900"}
    async with service(private_database, **env) as client, connection(private_database) as conn:
        assert (await register(client, "ada")).status_code == 201
        for _ in range(2):
            assert (await log_in(client, "ada", "wrong-password")).status_code == 401
        await conn.execute(
            "UPDATE users SET last_failed_login_at = now() - interval '901 seconds'"
            " WHERE username = 'ada'"
        )

        assert (await log_in(client, "ada", "wrong-password")).status_code == 401

        row = await account_row(conn, "ada")
        assert (row["failed_login_count"], row["login_locked_until"]) == (1, None)


async def test_an_unknown_login_name_is_throttled_exactly_like_an_account(
    private_database: str,
) -> None:
    async with (
        service(private_database, TUBEBASE_LOGIN_ACCOUNT_FAILURES="3") as client,
        connection(private_database) as conn,
    ):
        assert (await register(client, "ada")).status_code == 201
        known = [await log_in(client, "ada", "wrong-password") for _ in range(3)]
        unknown = [await log_in(client, "Ghost", "wrong-password") for _ in range(3)]

        assert [r.status_code for r in known] == [r.status_code for r in unknown] == [401] * 3
        assert [r.json() for r in known] == [r.json() for r in unknown]
        assert [r.headers.keys() for r in known] == [r.headers.keys() for r in unknown]
        account = await account_row(conn, "ada")
        ghost = await throttle_row(conn, "login:ghost")
        assert ghost is not None
        assert (ghost["failures"], ghost["lock_seconds"]) == (3, 1)
        assert (account["failed_login_count"], account["lock_seconds"]) == (3, 1)
        # An account's failures are kept on the account, not under a login name.
        assert await throttle_row(conn, "login:ada") is None

        await lock_for_ten_minutes(conn, "ada")
        await conn.execute(
            "UPDATE login_throttle SET locked_until = now() + interval '10 minutes'"
            " WHERE key = 'login:ghost'"
        )
        known_wait = await log_in(client, "ada", "wrong-password")
        # The name in any case is the same name.
        unknown_wait = await log_in(client, "GHOST", "wrong-password")
        assert_too_many(known_wait, at_least=590, at_most=600)
        assert_too_many(unknown_wait, at_least=590, at_most=600)
        assert known_wait.headers.keys() == unknown_wait.headers.keys()
        # Attempts during the wait are not counted, for a name as for an account.
        waited = await throttle_row(conn, "login:ghost")
        assert waited is not None and waited["failures"] == 3
        assert (await account_row(conn, "ada"))["failed_login_count"] == 3
        keys = await conn.fetch("SELECT key FROM login_throttle ORDER BY key")
        assert [k["key"] for k in keys] == ["address:testclient", "login:ghost"]


async def test_an_unknown_names_wait_runs_out_and_grows_like_an_accounts(
    private_database: str,
) -> None:
    async with (
        service(private_database, TUBEBASE_LOGIN_ACCOUNT_FAILURES="2") as client,
        connection(private_database) as conn,
    ):
        assert (await register(client, "ada")).status_code == 201
        known: list[float | None] = []
        unknown: list[float | None] = []
        for _ in range(5):
            await run_out(conn, "ada")
            await conn.execute(
                "UPDATE login_throttle SET locked_until = now() - interval '1 second'"
                " WHERE key = 'login:nobody' AND locked_until IS NOT NULL"
            )
            assert (await log_in(client, "ada", "wrong-password")).status_code == 401
            assert (await log_in(client, "nobody", "wrong-password")).status_code == 401
            known.append((await account_row(conn, "ada"))["lock_seconds"])
            row = await throttle_row(conn, "login:nobody")
            assert row is not None
            unknown.append(row["lock_seconds"])

        assert known == unknown == [None, 1, 2, 4, 8]


async def test_the_first_failure_waits_alike_for_a_known_and_an_unknown_name_at_threshold_1(
    private_database: str,
) -> None:
    """TUBEBASE_LOGIN_ACCOUNT_FAILURES=1: every failure makes logins wait, from the
    first, and an unknown name must not answer differently from a known one."""
    async with (
        service(private_database, TUBEBASE_LOGIN_ACCOUNT_FAILURES="1") as client,
        connection(private_database) as conn,
    ):
        assert (await register(client, "ada")).status_code == 201
        assert (await log_in(client, "ada", "wrong-password")).status_code == 401
        assert (await log_in(client, "nobody", "wrong-password")).status_code == 401

        ghost = await throttle_row(conn, "login:nobody")
        assert ghost is not None and ghost["lock_seconds"] == 1
        assert (await account_row(conn, "ada"))["lock_seconds"] == ghost["lock_seconds"]


async def test_an_address_with_many_failures_blocks_only_logins_that_failed_lately(
    private_database: str,
) -> None:
    env = {"TUBEBASE_LOGIN_ADDRESS_FAILURES": "4", "TUBEBASE_LOGIN_ACCOUNT_FAILURES": "100"}
    async with (
        served(private_database, **env) as port,
        from_address(port, "127.0.0.1") as sprayer,
        from_address(port, "127.0.0.2") as elsewhere,
        connection(private_database) as conn,
    ):
        for name in ("ann", "bea", "cid", "dan"):
            assert (await register(sprayer, name)).status_code == 201
        for name in ("ann", "ann", "bea", "ghost"):
            assert (await log_in(sprayer, name, "wrong-password")).status_code == 401
        address = await throttle_row(conn, "address:127.0.0.1")
        assert address is not None and address["failures"] == 4

        # Accounts (and names) that failed lately wait out the window from this address.
        ann = await log_in(sprayer, "ann", strong("ann"))
        assert_too_many(ann, at_least=900, at_most=900)
        assert_too_many(await log_in(sprayer, "bea", "wrong-password"), at_most=900)
        assert_too_many(await log_in(sprayer, "GHOST", "wrong-password"), at_most=900)
        # An account with no recent failure is never blocked by other accounts' failures.
        cid = await log_in(sprayer, "cid", strong("cid"))
        assert cid.status_code == 200, cid.text
        assert (await log_in(sprayer, "dan", "wrong-password")).status_code == 401
        assert_too_many(await log_in(sprayer, "dan", strong("dan")), at_most=900)
        assert (await log_in(sprayer, "newcomer", "wrong-password")).status_code == 401
        # Another address is not spraying: ann logs in from there, which forgets her
        # failures, and then the busy address lets her in too.
        there = await log_in(elsewhere, "ann", strong("ann"))
        assert there.status_code == 200, there.text
        back = await log_in(sprayer, "ann", strong("ann"))
        assert back.status_code == 200, back.text

        address = await throttle_row(conn, "address:127.0.0.1")
        assert address is not None and address["failures"] == 6
        assert await throttle_row(conn, "address:127.0.0.2") is None


async def test_an_address_is_forgiven_once_its_failures_are_older_than_the_window(
    private_database: str,
) -> None:
    env = {"TUBEBASE_LOGIN_ADDRESS_FAILURES": "2", "TUBEBASE_LOGIN_ACCOUNT_FAILURES": "100"}
    async with service(private_database, **env) as client, connection(private_database) as conn:
        assert (await register(client, "ann")).status_code == 201
        for _ in range(2):
            assert (await log_in(client, "ann", "wrong-password")).status_code == 401
        assert_too_many(await log_in(client, "ann", strong("ann")), at_most=900)

        await conn.execute(
            "UPDATE login_throttle SET last_failure_at = now() - interval '901 seconds'"
            " WHERE key = 'address:testclient'"
        )

        # ann failed lately still, but the address's failures are old news.
        response = await log_in(client, "ann", strong("ann"))
        assert response.status_code == 200, response.text


async def test_a_login_answer_is_never_cached(client: Client, sign_up: SignUp) -> None:
    await sign_up("carol")

    response = await log_in(client, "carol", strong("carol"))

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == NO_STORE


# --- 3. usernames and passwords ----------------------------------------------------------


async def test_usernames_are_unique_whatever_their_case(
    client: Client, session_conn: asyncpg.Connection
) -> None:
    first = await register(client, "ada", email="ada1@example.com")
    upper = await register(client, "ADA", email="ada2@example.com")
    title = await register(client, "Ada", email="ada3@example.com")

    assert first.status_code == 201, first.text
    for response in (upper, title):
        assert response.status_code == 409, response.text
        assert response.json() == {"status_code": 409, "detail": "username is already taken"}
    assert await session_conn.fetchval("SELECT array_agg(username) FROM users") == ["ada"]


async def test_login_finds_a_username_whatever_its_case(client: Client) -> None:
    registered = await register(client, "Ada_L")
    assert registered.status_code == 201, registered.text

    for login in ("Ada_L", "ada_l", "ADA_L", "aDA_l"):
        response = await log_in(client, login, strong("Ada_L"))
        assert response.status_code == 200, (login, response.text)
        me = await client.get(
            "/users/me", headers={"Authorization": f"Bearer {response.json()['token']}"}
        )
        assert me.json()["id"] == registered.json()["id"]
        assert me.json()["username"] == "Ada_L"


@pytest.mark.parametrize(
    ("username", "email", "password", "rule"),
    [
        pytest.param("grace", "grace@example.com", " " * 8, "not spaces", id="eight-spaces"),
        pytest.param("grace", "grace@example.com", " " * 20, "not spaces", id="all-blank"),
        pytest.param(
            "grace", "grace@example.com", " a b c d e f g ", "not spaces", id="seven-non-blank"
        ),
        pytest.param(
            "grace", "grace@example.com", "abcdefg\t\n\u00a0 ", "not spaces", id="unicode-blank"
        ),
        pytest.param("grace", "grace@example.com", "password", "common", id="password"),
        pytest.param("grace", "grace@example.com", "PASSWORD", "common", id="upper-case-common"),
        pytest.param("grace", "grace@example.com", "Password1", "common", id="Password1"),
        pytest.param("grace", "grace@example.com", "iloveyou", "common", id="iloveyou"),
        pytest.param("grace", "grace@example.com", "QWERTY123", "common", id="qwerty123"),
        pytest.param("grace", "grace@example.com", "12345678", "common", id="digits"),
        pytest.param(
            "grace_hopper", "grace@example.com", "Grace_Hopper", "username", id="the-username"
        ),
        pytest.param(
            "grace", "grace.hopper@navy.example", "GRACE.HOPPER@NAVY.EXAMPLE", "e-mail", id="email"
        ),
        pytest.param(
            "grace", "admiral.hopper@navy.example", "Admiral.Hopper", "e-mail", id="email-local"
        ),
    ],
)
async def test_a_password_that_breaks_the_policy_is_400_naming_the_rule(
    client: Client,
    session_conn: asyncpg.Connection,
    username: str,
    email: str,
    password: str,
    rule: str,
) -> None:
    response = await register(client, username, email=email, password=password)

    assert response.status_code == 400, response.text
    body = response.json()
    # too few non-blank characters breaks the body's pattern (the OpenAPI document
    # states it): a field error; the other rules need the username or the list
    if "extra" in body:
        assert [(e["key"], rule in e["message"]) for e in body["extra"]] == [("password", True)]
    else:
        assert body["detail"].startswith("password:"), body
        assert rule in body["detail"], body
    assert await session_conn.fetchval("SELECT count(*) FROM users") == 0


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("a b c d e f g h", id="eight-non-blank-with-spaces"),
        pytest.param("correct horse battery", id="passphrase"),
        pytest.param("grace-hopper-1906", id="contains-the-username"),
        pytest.param("pässwörd-ünïcode", id="unicode"),
    ],
)
async def test_a_password_the_policy_accepts_registers_and_logs_in(
    client: Client, password: str
) -> None:
    response = await register(client, "grace", password=password)

    assert response.status_code == 201, response.text
    assert (await log_in(client, "grace", password)).status_code == 200


# --- 4. time stamps ----------------------------------------------------------------------

BAD_INSTANTS = [
    pytest.param("2024-05-01T09:30:00", id="no-time-zone"),
    pytest.param("0001-01-01T00:00:00Z", id="first-instant"),
    pytest.param("0001-01-01T00:00:00+00:00", id="first-instant-offset"),
    pytest.param("9999-12-31T23:59:59.999999Z", id="last-instant"),
    pytest.param("0001-01-01T00:30:00+01:00", id="before-year-1-in-utc"),
    pytest.param("9999-12-31T23:30:00-01:00", id="after-9999-in-utc"),
]


async def _meeting(client: Client, headers: Headers) -> str:
    meeting: dict[str, Any] = await create_meeting(client, headers)
    return str(meeting["id"])


async def _synthesis(client: Client, headers: Headers) -> str:
    meeting_id = await _meeting(client, headers)
    await put_synthesis(client, headers, meeting_id)
    return meeting_id


# (method, path for a resource id, field, what else the body needs, how to make the resource)
TIME_TARGETS = [
    pytest.param("POST", "/meetings", "scheduled_at", {"title": "t"}, None, id="meeting-scheduled"),
    pytest.param("POST", "/meetings", "started_at", {"title": "t"}, None, id="meeting-started"),
    pytest.param("POST", "/meetings", "ended_at", {"title": "t"}, None, id="meeting-ended"),
    pytest.param("PATCH", "/meetings/{}", "scheduled_at", {}, _meeting, id="patch-scheduled"),
    pytest.param("PATCH", "/meetings/{}", "started_at", {}, _meeting, id="patch-started"),
    pytest.param("PATCH", "/meetings/{}", "ended_at", {}, _meeting, id="patch-ended"),
    pytest.param("POST", "/jobs", "run_after", {"job_type": "j"}, None, id="job-run-after"),
    pytest.param(
        "PATCH",
        "/meetings/{}/synthesis",
        "email_sent_at",
        {"email_delivery_status": "sent"},
        _synthesis,
        id="synthesis-email-sent",
    ),
]
WRITTEN = ["meetings", "processing_jobs", "syntheses"]


async def _snapshot(conn: asyncpg.Connection) -> list[Any]:
    return [[tuple(r) for r in await conn.fetch(f"SELECT * FROM {t} ORDER BY id")] for t in WRITTEN]


@pytest.mark.parametrize("value", BAD_INSTANTS)
@pytest.mark.parametrize(("method", "path", "field", "body", "make"), TIME_TARGETS)
async def test_a_time_stamp_postgresql_cannot_store_as_sent_is_400_naming_the_field(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    method: str,
    path: str,
    field: str,
    body: dict[str, Any],
    make: Callable[[Client, Headers], Any] | None,
    value: str,
) -> None:
    url = path.format(await make(client, alice.headers)) if make else path
    before = await _snapshot(session_conn)

    response = await client.request(method, url, json={**body, field: value}, headers=alice.headers)

    assert_bad_request(response, field)
    assert await _snapshot(session_conn) == before


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("0001-01-01T00:00:01Z", "0001-01-01T00:00:01Z"),
        ("0001-01-01T01:00:00+01:00", None),  # year 1 at midnight UTC: Python's first
        ("9999-12-31T23:59:59.999998Z", "9999-12-31T23:59:59.999998Z"),
        ("2024-05-01T09:30:00+02:00", "2024-05-01T07:30:00Z"),
    ],
)
async def test_a_time_stamp_just_inside_the_range_is_stored_as_sent(
    client: Client, alice: Account, sent: str, stored: str | None
) -> None:
    response = await client.post(
        "/meetings", json={"title": "t", "scheduled_at": sent}, headers=alice.headers
    )

    if stored is None:
        assert_bad_request(response, "scheduled_at")
        return
    assert response.status_code == 201, response.text
    assert response.json()["scheduled_at"] == stored
    again = await client.get(f"/meetings/{response.json()['id']}", headers=alice.headers)
    assert again.json()["scheduled_at"] == stored


async def _video(client: Client, headers: Headers) -> str:
    video: dict[str, Any] = await create_video(client, headers)
    return str(video["id"])


DATE_TARGETS = [
    pytest.param("POST", "/videos", True, None, id="create-video"),
    pytest.param("PATCH", "/videos/{}", False, _video, id="patch-video"),
    pytest.param("PUT", "/videos/by-youtube-id/{}", False, "new-id", id="put-video"),
    pytest.param("POST", "/transcripts", True, None, id="ingest-transcript"),
]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize(("method", "path", "needs_id", "make"), DATE_TARGETS)
async def test_an_upload_date_at_pythons_first_or_last_day_is_400(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    method: str,
    path: str,
    needs_id: bool,
    make: Any,
    value: str,
) -> None:
    if make == "new-id":
        url = path.format(new_youtube_video_id())
    elif make is not None:
        url = path.format(await make(client, alice.headers))
    else:
        url = path
    body: dict[str, Any] = {"upload_date": value}
    if needs_id:
        body["youtube_video_id"] = new_youtube_video_id()
    if path == "/transcripts":
        body["transcript_text"] = "some words"
    before = await session_conn.fetch("SELECT * FROM videos ORDER BY id")

    response = await client.request(method, url, json=body, headers=alice.headers)

    assert_bad_request(response, "upload_date")
    assert await session_conn.fetch("SELECT * FROM videos ORDER BY id") == before
    assert await session_conn.fetchval("SELECT count(*) FROM transcripts") == 0


@pytest.mark.parametrize("value", ["0001-01-02", "9999-12-30"])
async def test_an_upload_date_a_day_inside_the_range_is_stored(
    client: Client, alice: Account, value: str
) -> None:
    video = await create_video(client, alice.headers, upload_date=value)

    assert video["upload_date"] == value


# --- 5. caps -----------------------------------------------------------------------------


async def _library_rows(conn: asyncpg.Connection) -> dict[str, int]:
    return {
        t: await conn.fetchval(f"SELECT count(*) FROM {t}")
        for t in ("videos", "transcripts", "chunks")
    }


def words_of_ten_tokens(count: int) -> str:
    """`count` words of 39 characters: with the space, ten estimated tokens each."""
    return " ".join(f"w{i:038d}" for i in range(count))


async def test_more_given_chunks_than_the_cap_is_400_and_writes_nothing(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    given = [{"chunk_index": i, "chunk_text": "c"} for i in range(MAX_CHUNKS + 1)]

    response = await client.post(
        "/transcripts",
        json={"youtube_video_id": new_youtube_video_id(), "transcript_text": "t", "chunks": given},
        headers=alice.headers,
    )

    assert response.status_code == 400, response.text[:300]
    assert response.json()["extra"][0] == {
        "message": f"Expected `array` of length <= {MAX_CHUNKS} - at `$.chunks`",
        "key": "chunks",
        "source": "body",
    }
    assert await _library_rows(session_conn) == {"videos": 0, "transcripts": 0, "chunks": 0}


async def test_exactly_the_cap_of_given_chunks_is_stored(client: Client, alice: Account) -> None:
    given = [{"chunk_index": i, "chunk_text": f"c{i}"} for i in range(MAX_CHUNKS)]

    transcript = await ingest(client, alice.headers, "t", chunks=given)

    assert transcript["chunk_count"] == MAX_CHUNKS == 20_000


async def test_a_text_that_would_make_more_chunks_than_the_cap_is_400_before_any_write(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    body = {
        "youtube_video_id": new_youtube_video_id(),
        "transcript_text": words_of_ten_tokens(MAX_CHUNKS + 1),
        "chunk_tokens": 10,
        "chunk_overlap_tokens": 0,
    }

    response = await client.post("/transcripts", json=body, headers=alice.headers)

    assert response.status_code == 400, response.text[:300]
    assert response.json()["detail"] == (
        "this text would make 20001 chunks at chunk_tokens=10; at most 20000 per transcript: "
        "use larger chunks"
    )
    assert await _library_rows(session_conn) == {"videos": 0, "transcripts": 0, "chunks": 0}


async def test_a_refused_reingest_keeps_the_transcript_and_chunks_it_would_have_replaced(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    youtube_video_id = new_youtube_video_id()
    first = await ingest(
        client, alice.headers, "a short first text", youtube_video_id=youtube_video_id
    )
    chunks_before = await session_conn.fetch("SELECT * FROM chunks ORDER BY id")

    response = await client.post(
        "/transcripts",
        json={
            "youtube_video_id": youtube_video_id,
            "transcript_text": words_of_ten_tokens(MAX_CHUNKS + 1),
            "chunk_tokens": 10,
            "chunk_overlap_tokens": 0,
        },
        headers=alice.headers,
    )

    assert response.status_code == 400, response.text[:300]
    kept = await client.get(f"/transcripts/{first['id']}", headers=alice.headers)
    assert kept.json()["transcript_text"] == "a short first text"
    assert await session_conn.fetch("SELECT * FROM chunks ORDER BY id") == chunks_before


@pytest.mark.parametrize(
    ("chunk_tokens", "overlap"), [(10, 9), (10, 5), (11, 6), (300, 150), (100_000, 99_999)]
)
async def test_an_overlap_of_half_the_chunk_or_more_is_400(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    chunk_tokens: int,
    overlap: int,
) -> None:
    response = await client.post(
        "/transcripts",
        json={
            "youtube_video_id": new_youtube_video_id(),
            "transcript_text": "one two three four five six seven eight nine ten eleven",
            "chunk_tokens": chunk_tokens,
            "chunk_overlap_tokens": overlap,
        },
        headers=alice.headers,
    )

    assert response.status_code == 400, response.text
    assert response.json()["detail"] == (
        f"chunk_overlap_tokens ({overlap}) must be below half of chunk_tokens ({chunk_tokens})"
    )
    assert await _library_rows(session_conn) == {"videos": 0, "transcripts": 0, "chunks": 0}


@pytest.mark.parametrize(("chunk_tokens", "overlap"), [(10, 4), (11, 5), (300, 149)])
async def test_an_overlap_below_half_the_chunk_is_accepted(
    client: Client, alice: Account, chunk_tokens: int, overlap: int
) -> None:
    transcript = await ingest(
        client,
        alice.headers,
        " ".join(f"word{i}" for i in range(200)),
        chunk_tokens=chunk_tokens,
        chunk_overlap_tokens=overlap,
    )

    assert transcript["chunk_count"] >= 1


async def test_small_chunks_without_an_overlap_shrink_the_configured_one(
    client: Client, alice: Account
) -> None:
    # The configured overlap (50) is more than half of 10: it shrinks, not a 400.
    transcript = await ingest(
        client, alice.headers, " ".join(f"word{i}" for i in range(100)), chunk_tokens=10
    )

    assert transcript["chunk_count"] > 1


async def test_a_body_over_the_configured_limit_is_413(private_database: str) -> None:
    async with (
        service(private_database, TUBEBASE_MAX_BODY_BYTES="4096") as client,
        connection(private_database) as conn,
    ):
        body = json.dumps(
            {"username": "ada", "email": "ada@example.com", "password": "x" * 5000}
        ).encode()
        response = await client.post(
            "/auth/register", content=body, headers={"Content-Type": "application/json"}
        )

        assert response.status_code == 413, response.text
        assert response.json()["status_code"] == 413
        assert_security_headers(response)
        assert await conn.fetchval("SELECT count(*) FROM users") == 0
        within = await register(client, "ada", password="y" * 1000)
        assert within.status_code == 201, within.text


async def test_a_body_over_32_mib_is_413_by_default(
    client: Client, session_conn: asyncpg.Connection
) -> None:
    assert load_settings({}).max_body_bytes == 32 * 1024 * 1024
    padding = "x" * (32 * 1024 * 1024)
    body = json.dumps({"username": "ada", "email": "ada@example.com", "password": padding})

    response = await client.post(
        "/auth/register", content=body.encode(), headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 413, response.text[:300]
    assert await session_conn.fetchval("SELECT count(*) FROM users") == 0


async def test_bulk_messages_stop_at_10000(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    conversation = await create_conversation(client, alice.headers)
    url = f"/conversations/{conversation['id']}/messages/bulk"
    batch = [{"role": "user", "content": f"m{i}"} for i in range(10_001)]

    over = await client.post(url, json=batch, headers=alice.headers)
    exact = await client.post(url, json=batch[:10_000], headers=alice.headers)

    assert over.status_code == 400, over.text[:300]
    assert over.json()["extra"][0]["message"] == "Expected `array` of length <= 10000"
    assert exact.status_code == 201, exact.text[:300]
    assert len(exact.json()) == 10_000
    assert await session_conn.fetchval("SELECT count(*) FROM messages") == 10_000


@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("POST", "/jobs", '{"job_type": "j", "payload": {"a": NESTED}}'),
        ("POST", "/conversations", '{"title": NESTED}'),
        ("POST", "/auth/register", '{"username": "ada", "extra": NESTED}'),
    ],
)
async def test_deeply_nested_json_is_400(
    client: Client, alice: Account, method: str, path: str, template: str
) -> None:
    body = template.replace("NESTED", "[" * 10_000 + "]" * 10_000)

    response = await client.request(
        method,
        path,
        content=body.encode(),
        headers={**alice.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 400, response.text
    assert response.json() == {"status_code": 400, "detail": "JSON is nested too deeply"}


# --- 6. strict HTTP ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "text/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
        "application/json; charset=latin-1",
        "application/json; charset=utf-16",
        'application/json; charset="iso-8859-1"',
        "application/xml",
    ],
)
async def test_a_body_that_is_not_json_in_utf8_is_415_and_writes_nothing(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    content_type: str | None,
) -> None:
    headers = dict(alice.headers)
    if content_type is not None:
        headers["Content-Type"] = content_type

    response = await client.post("/conversations", content=b'{"title": "x"}', headers=headers)

    assert response.status_code == 415, response.text
    assert response.json()["status_code"] == 415
    assert "application/json" in response.json()["detail"]
    assert_security_headers(response)
    assert await session_conn.fetchval("SELECT count(*) FROM conversations") == 0


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
        'application/json; charset="utf-8"',
        "application/json; charset=utf8",
        "application/merge-patch+json",
        "application/vnd.api+json",
    ],
)
async def test_json_in_utf8_under_any_json_media_type_is_accepted(
    client: Client, alice: Account, content_type: str
) -> None:
    response = await client.post(
        "/conversations",
        content='{"title": "café"}'.encode(),
        headers={**alice.headers, "Content-Type": content_type},
    )

    assert response.status_code == 201, response.text
    assert response.json()["title"] == "café"


async def test_a_request_without_a_body_needs_no_content_type(
    client: Client, alice: Account
) -> None:
    response = await client.post(
        "/auth/logout", headers={**alice.headers, "Content-Type": "text/plain"}
    )

    assert response.status_code == 204, response.text


@pytest.mark.parametrize(
    ("method", "path", "body", "key"),
    [
        pytest.param("POST", "/videos", {"is_favorite": 1}, "is_favorite", id="bool-from-1"),
        pytest.param("POST", "/videos", {"is_favorite": "true"}, "is_favorite", id="bool-from-str"),
        pytest.param("POST", "/videos", {"duration_seconds": "60"}, "duration_seconds", id="int"),
        pytest.param("PATCH", "/videos/{}", {"is_favorite": 0}, "is_favorite", id="patch-bool"),
        pytest.param("POST", "/jobs", {"job_type": "j", "priority": "5"}, "priority", id="str-int"),
        pytest.param(
            "POST", "/jobs", {"job_type": "j", "max_attempts": True}, "max_attempts", id="bool-int"
        ),
        pytest.param("POST", "/meetings", {"title": 5}, "title", id="int-for-str"),
    ],
)
async def test_json_values_of_the_wrong_type_are_400_in_the_validation_shape(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    method: str,
    path: str,
    body: dict[str, Any],
    key: str,
) -> None:
    if "{}" in path:
        path = path.format(await _video(client, alice.headers))
    elif path == "/videos":
        body = {"youtube_video_id": new_youtube_video_id(), **body}
    before = [
        await session_conn.fetch(f"SELECT * FROM {t} ORDER BY id")
        for t in ("videos", "processing_jobs", "meetings")
    ]

    response = await client.request(method, path, json=body, headers=alice.headers)

    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["status_code"] == 400
    assert answer["detail"] == f"Validation failed for {method} {path}"
    [problem] = answer["extra"]
    assert (problem["key"], problem["source"]) == (key, "body")
    assert isinstance(problem["message"], str) and problem["message"]
    after = [
        await session_conn.fetch(f"SELECT * FROM {t} ORDER BY id")
        for t in ("videos", "processing_jobs", "meetings")
    ]
    assert after == before


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("/conversations", {"title": "a\u0000b"}, id="title"),
        pytest.param("/conversations", {"title": "\\\u0000"}, id="after-an-escaped-backslash"),
        pytest.param("/jobs", {"job_type": "j", "payload": {"k": ["x\u0000"]}}, id="nested"),
        pytest.param("/jobs", {"job_type": "j", "payload": {"k\u0000": 1}}, id="key"),
        pytest.param("/meetings", {"title": "\u0000"}, id="only-nul"),
    ],
)
async def test_a_nul_character_in_any_json_string_is_400(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    path: str,
    body: dict[str, Any],
) -> None:
    response = await client.request(
        "POST",
        path,
        content=json.dumps(body).encode(),
        headers={**alice.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 400, response.text
    assert "NUL" in response.json()["detail"]
    for table in ("conversations", "processing_jobs", "meetings"):
        assert await session_conn.fetchval(f"SELECT count(*) FROM {table}") == 0


async def test_a_backslash_before_u0000_is_text_and_is_stored_as_sent(
    client: Client, alice: Account
) -> None:
    title = "C:\\u0000 is not a NUL"
    response = await client.post(
        "/conversations",
        content=json.dumps({"title": title}).encode(),
        headers={**alice.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 201, response.text
    assert response.json()["title"] == title


DATABASE_WORDING = ("$1", "$2", "$3", "invalid byte sequence", "query argument", "0x00", "asyncpg")


def assert_in_our_words(response: Response) -> None:
    assert response.status_code == 400, response.text
    text = response.text
    for word in DATABASE_WORDING:
        assert word not in text, text


@pytest.mark.parametrize(
    "path",
    [
        "/search?q=a%00b",
        "/videos?tag=a%00b",
        "/transcripts?youtube_video_id=a%00",
        "/meetings?q=a%00b",
        '/search?q=a&metadata={"k":"\\u0000"}',
    ],
)
async def test_a_nul_in_a_query_string_is_400_in_tubebases_words(
    client: Client, alice: Account, path: str
) -> None:
    assert_in_our_words(await client.get(path, headers=alice.headers))


async def test_a_forged_cursor_before_year_1_is_400_in_tubebases_words(
    client: Client, alice: Account
) -> None:
    await create_conversation(client, alice.headers)
    key = ["0001-01-01T00:30:00+01:00", str(uuid.uuid4())]
    token = base64.urlsafe_b64encode(json.dumps(["conversations", key]).encode()).decode()

    response = await client.get(f"/conversations?after={token.rstrip('=')}", headers=alice.headers)

    assert_in_our_words(response)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"username=carol&password=x", id="form-encoded-as-json"),
        pytest.param(b'{"title": "x"', id="truncated"),
        pytest.param(b'{"title": "\xff\xfe"}', id="invalid-utf8"),
        pytest.param(b'{"title": "\\ud800"}', id="lone-surrogate"),
        pytest.param(b'{"title": "x"} trailing', id="trailing-garbage"),
    ],
)
async def test_a_body_that_is_not_valid_json_is_400(
    client: Client, alice: Account, session_conn: asyncpg.Connection, body: bytes
) -> None:
    response = await client.post(
        "/conversations",
        content=body,
        headers={**alice.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 400, response.text
    assert "JSON" in response.json()["detail"]
    assert_security_headers(response)
    assert await session_conn.fetchval("SELECT count(*) FROM conversations") == 0


async def test_invalid_json_to_a_route_that_reads_no_body_is_400_and_changes_nothing(
    client: Client, alice: Account
) -> None:
    video = await create_video(client, alice.headers)

    response = await client.post(
        f"/videos/{video['id']}/favorite",
        content=b"{not json",
        headers={**alice.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 400, response.text
    assert "JSON" in response.json()["detail"]
    again = await client.get(f"/videos/{video['id']}", headers=alice.headers)
    assert again.json()["is_favorite"] is False


async def exchange(port: int, request: bytes) -> tuple[bytes, bool]:
    """Sends raw bytes; what came back, and whether the server closed the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    received = b""
    closed = False
    try:
        async with asyncio.timeout(10):
            while chunk := await reader.read(65536):
                received += chunk
            closed = True
    except TimeoutError:
        pass
    finally:
        writer.close()
    return received, closed


@pytest.mark.parametrize("http", ["httptools", "h11"])
async def test_content_length_with_transfer_encoding_is_400_and_closes_the_connection(
    private_database: str, http: str
) -> None:
    registration = json.dumps(
        {"username": "smuggler", "email": "s@example.com", "password": strong("smuggler")}
    ).encode()
    smuggled = b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"
    request = (
        b"POST /auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n"
        % len(registration)
        + b"%x\r\n" % len(registration)
        + registration
        + b"\r\n0\r\n\r\n"
        + smuggled
    )
    async with served(private_database, http=http) as port, connection(private_database) as conn:
        received, closed = await exchange(port, request)

        head, _, _ = received.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in header_lines)}
        assert status_line.startswith("HTTP/1.1 400"), received
        assert headers.get("connection", "").lower() == "close", received
        assert closed, received
        # Neither the registration nor the request hidden behind it was served.
        assert received.count(b"HTTP/1.1 ") == 1, received
        assert await conn.fetchval("SELECT count(*) FROM users") == 0


async def test_transfer_encoding_alone_is_served(private_database: str) -> None:
    registration = json.dumps(
        {"username": "chunky", "email": "c@example.com", "password": strong("chunky")}
    ).encode()
    request = (
        b"POST /auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + b"%x\r\n" % len(registration)
        + registration
        + b"\r\n0\r\n\r\n"
    )
    async with served(private_database) as port, connection(private_database) as conn:
        received, _ = await exchange(port, request)

        assert received.startswith(b"HTTP/1.1 201"), received
        assert await conn.fetchval("SELECT count(*) FROM users") == 1


# --- 7. security headers and CORS --------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/health/live", None, 200),
        ("GET", "/users/me", None, 200),
        ("POST", "/conversations", {"title": "t"}, 201),
        ("GET", "/no/such/path", None, 404),
        ("GET", f"/conversations/{uuid.uuid4()}", None, 404),
        ("POST", "/conversations", {"title": ""}, 400),
        ("POST", "/conversations", {"nope": 1}, 400),
        ("DELETE", "/health/live", None, 405),
        (
            "POST",
            "/auth/register",
            {"username": "ALICE", "email": "other@example.com", "password": strong("other")},
            409,
        ),
    ],
)
async def test_every_answer_has_the_security_headers(
    client: Client,
    alice: Account,
    method: str,
    path: str,
    body: Any,
    status: int,
) -> None:
    response = await client.request(method, path, json=body, headers=alice.headers)

    assert response.status_code == status, response.text
    assert_security_headers(response)


async def test_unauthenticated_and_throttled_answers_have_the_security_headers(
    client: Client,
) -> None:
    unauthenticated = await client.get("/users/me")
    wrong = await log_in(client, "nobody", "wrong-password")

    assert unauthenticated.status_code == wrong.status_code == 401
    assert_security_headers(unauthenticated)
    assert_security_headers(wrong)


@pytest.mark.parametrize("path", ["/schema/swagger", "/schema/openapi.json"])
async def test_the_api_pages_may_load_their_own_scripts(client: Client, path: str) -> None:
    response = await client.get(path)

    assert response.status_code == 200, response.text[:300]
    assert_security_headers(response, docs=True)


async def test_cors_is_off_by_default(client: Client, alice: Account) -> None:
    origin = {"Origin": "https://app.example"}
    preflight = await client.options(
        "/conversations", headers={**origin, "Access-Control-Request-Method": "POST"}
    )
    plain = await client.get("/conversations", headers={**alice.headers, **origin})

    for response in (preflight, plain):
        assert "access-control-allow-origin" not in response.headers, dict(response.headers)
        assert_security_headers(response)
    assert plain.status_code == 200


async def test_cors_answers_the_configured_origin_only(private_database: str) -> None:
    app_origin = "https://app.example"
    async with service(private_database, TUBEBASE_CORS_ORIGINS=app_origin) as client:
        assert (await register(client, "ada")).status_code == 201
        token = (await log_in(client, "ada", strong("ada"))).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}

        preflight = await client.options(
            "/conversations",
            headers={
                "Origin": app_origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code in (200, 204), preflight.text
        assert preflight.headers["access-control-allow-origin"] == app_origin
        assert "POST" in preflight.headers["access-control-allow-methods"]
        allowed = preflight.headers["access-control-allow-headers"].lower()
        assert "authorization" in allowed and "content-type" in allowed
        assert_security_headers(preflight)

        listed = await client.get("/conversations", headers={**auth, "Origin": app_origin})
        assert listed.status_code == 200, listed.text
        assert listed.headers["access-control-allow-origin"] == app_origin
        exposed = {
            h.strip().lower() for h in listed.headers["access-control-expose-headers"].split(",")
        }
        assert {"x-total-count", "x-total-count-exact", "link"} <= exposed

        other = "https://evil.example"
        foreign_preflight = await client.options(
            "/conversations",
            headers={"Origin": other, "Access-Control-Request-Method": "POST"},
        )
        foreign = await client.get("/conversations", headers={**auth, "Origin": other})
        assert foreign_preflight.status_code == 400, foreign_preflight.text
        for response in (foreign_preflight, foreign):
            assert "access-control-allow-origin" not in response.headers, dict(response.headers)


# --- 8. meetings start pending -----------------------------------------------------------


@pytest.mark.parametrize("status", ["transcribing", "synthesizing", "completed", "failed"])
async def test_a_meeting_cannot_be_created_past_pending(
    client: Client, alice: Account, session_conn: asyncpg.Connection, status: str
) -> None:
    response = await client.post(
        "/meetings", json={"title": "t", "status": status}, headers=alice.headers
    )

    assert_bad_request(response, "status")
    assert await session_conn.fetchval("SELECT count(*) FROM meetings") == 0


@pytest.mark.parametrize("body", [{}, {"status": "pending"}])
async def test_a_meeting_is_created_pending(
    client: Client, alice: Account, body: dict[str, str]
) -> None:
    meeting = await create_meeting(client, alice.headers, **body)

    assert meeting["status"] == "pending"


async def test_patch_still_walks_the_lifecycle_and_refuses_skips(
    client: Client, alice: Account
) -> None:
    meeting = await create_meeting(client, alice.headers)
    url = f"/meetings/{meeting['id']}"

    skipped = await client.patch(url, json={"status": "completed"}, headers=alice.headers)
    assert skipped.status_code == 409, skipped.text
    for status in ("transcribing", "synthesizing", "completed"):
        moved = await client.patch(url, json={"status": status}, headers=alice.headers)
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == status
    back = await client.patch(url, json={"status": "pending"}, headers=alice.headers)
    assert back.status_code == 409, back.text
