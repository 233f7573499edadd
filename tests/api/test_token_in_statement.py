"""The routes whose one statement checks the caller's token itself (TOKEN_IN_STATEMENT
in service/api/deps.py): adding a message and listing messages. They answer a dead
token exactly as every other route does, whatever else is wrong with the request,
and write nothing for it."""

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from litestar import Litestar, Response, get
from litestar.datastructures import State
from litestar.middleware import ASGIMiddleware
from litestar.testing import AsyncTestClient
from litestar.types import ASGIApp, Receive, Scope, Send

from service.api.deps import (
    TOKEN_IN_STATEMENT,
    TOKEN_IN_STATEMENT_MAX_BODY,
    RequestConnection,
    auth_middleware,
)
from service.api.hardening import StrictBodies
from service.db import create_pool
from service.queries import sessions
from service.settings import load_settings
from tests.api.conftest import Account
from tests.api.helpers import Client, count_messages, create_conversation, post_message, random_id
from tests.net import free_port

DEAD = {"Authorization": "Bearer not-a-live-token"}


def _messages(conversation_id: str) -> str:
    return f"/conversations/{conversation_id}/messages"


async def _ordinary_401(client: Client, headers: dict[str, str]) -> Any:
    """The 401 a route that looks the token up first gives the same headers."""
    response = await client.get("/conversations", headers=headers)
    assert response.status_code == 401, response.text
    return response


@pytest.mark.parametrize(
    ("method", "suffix", "content"),
    [
        pytest.param("POST", "", b'{"role": "user", "content": "hi"}', id="post-valid-body"),
        pytest.param("POST", "", b'{"role": "robot", "content": ""}', id="post-invalid-body"),
        pytest.param("POST", "", b"{not json", id="post-malformed-json"),
        pytest.param("GET", "?limit=50", None, id="list"),
        pytest.param("GET", "?limit=0", None, id="list-bad-limit"),
        pytest.param("GET", "?after=garbage", None, id="list-bad-cursor"),
        pytest.param("GET", "?last=3", None, id="last-n"),
        pytest.param("GET", "?last=0", None, id="last-n-bad"),
    ],
)
async def test_a_dead_token_is_401_like_any_route_and_writes_nothing(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    method: str,
    suffix: str,
    content: bytes | None,
) -> None:
    chat = await create_conversation(client, alice.headers)
    await post_message(client, alice.headers, chat["id"], "before")

    response = await client.request(
        method,
        _messages(chat["id"]) + suffix,
        content=content,
        headers={**DEAD, "Content-Type": "application/json"},
    )

    expected = await _ordinary_401(client, DEAD)
    assert response.status_code == 401, response.text
    assert response.json() == expected.json()
    assert response.headers["www-authenticate"] == "Bearer"
    assert set(response.headers.keys()) - {"content-length"} == set(expected.headers.keys()) - {
        "content-length"
    }
    assert await count_messages(session_conn, chat["id"]) == 1


async def test_a_dead_token_is_401_for_a_missing_conversation_not_404(client: Client) -> None:
    post = await client.post(
        _messages(random_id()), json={"role": "user", "content": "hi"}, headers=DEAD
    )
    listed = await client.get(_messages(random_id()), headers=DEAD)

    assert (post.status_code, listed.status_code) == (401, 401)


async def test_a_dead_token_is_401_before_the_content_type_is_refused(client: Client) -> None:
    response = await client.post(
        _messages(random_id()), content=b"role=user", headers={**DEAD, "Content-Type": "text/plain"}
    )

    assert response.status_code == 401, response.text


async def test_a_live_token_still_gets_the_routes_own_errors(
    client: Client, alice: Account, bob: Account
) -> None:
    chat = await create_conversation(client, alice.headers)

    foreign_post = await client.post(
        _messages(chat["id"]), json={"role": "user", "content": "hi"}, headers=bob.headers
    )
    foreign_list = await client.get(_messages(chat["id"]), headers=bob.headers)
    bad_body = await client.post(
        _messages(chat["id"]), json={"role": "robot", "content": "hi"}, headers=alice.headers
    )
    bad_limit = await client.get(_messages(chat["id"]) + "?limit=0", headers=alice.headers)
    wrong_type = await client.post(
        _messages(chat["id"]), content=b"x", headers={**alice.headers, "Content-Type": "text/plain"}
    )

    assert (foreign_post.status_code, foreign_list.status_code) == (404, 404)
    assert chat["id"] in foreign_post.json()["detail"]
    assert (bad_body.status_code, bad_limit.status_code) == (400, 400)
    assert "role" in bad_body.text and "limit" in bad_limit.text
    assert wrong_type.status_code == 415, wrong_type.text


async def test_logging_out_or_deactivation_ends_the_token_at_once(
    client: Client, alice: Account, bob: Account, session_conn: asyncpg.Connection
) -> None:
    chat = await create_conversation(client, alice.headers)
    bobs_chat = await create_conversation(client, bob.headers)
    await post_message(client, alice.headers, chat["id"], "while logged in")

    assert (await client.post("/auth/logout", headers=alice.headers)).status_code == 204
    after_logout = [
        await client.post(
            _messages(chat["id"]), json={"role": "user", "content": "x"}, headers=alice.headers
        ),
        await client.get(_messages(chat["id"]), headers=alice.headers),
    ]
    await session_conn.execute("UPDATE users SET is_active = false WHERE username = 'bob'")
    after_deactivation = [
        await client.post(
            _messages(bobs_chat["id"]), json={"role": "user", "content": "x"}, headers=bob.headers
        ),
        await client.get(_messages(bobs_chat["id"]) + "?last=5", headers=bob.headers),
    ]

    assert [r.status_code for r in after_logout + after_deactivation] == [401] * 4
    assert await count_messages(session_conn, chat["id"]) == 1
    assert await count_messages(session_conn, bobs_chat["id"]) == 0


async def test_a_live_token_adds_and_lists_as_its_user(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    chat = await create_conversation(client, alice.headers)

    added = await post_message(client, alice.headers, chat["id"], "hello")
    listed = await client.get(_messages(chat["id"]), headers=alice.headers)

    assert added["user_id"] == alice.user["id"]
    assert listed.status_code == 200
    assert [m["id"] for m in listed.json()] == [added["id"]]
    assert listed.headers["x-total-count"] == "1"


async def test_an_exception_that_escapes_the_route_waits_for_the_token_check(
    app_database_url: str, alice: Account
) -> None:
    """Litestar renders a route's own exceptions inside its middleware; one raised
    beside them (here by a middleware after authentication) reaches the client only
    once the token is known live, and is 401 otherwise."""

    class Failing(ASGIMiddleware):
        async def handle(
            self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp
        ) -> None:
            raise RuntimeError("a middleware after authentication failed")

    @get("/failing", opt=TOKEN_IN_STATEMENT)
    async def failing() -> None:
        raise AssertionError("not reached")

    async def connect(app: Litestar) -> None:  # on the app's own event loop
        app.state.pool = await create_pool(app_database_url, min_size=1, max_size=2)

    async def disconnect(app: Litestar) -> None:
        await app.state.pool.close()

    app = Litestar(
        [failing],
        middleware=[auth_middleware, Failing()],
        state=State({"settings": load_settings()}),
        on_startup=[connect],
        on_shutdown=[disconnect],
    )
    async with AsyncTestClient(app=app) as test_client:
        dead = await test_client.get("/failing", headers=DEAD)
        live = await test_client.get("/failing", headers=alice.headers)

    assert dead.status_code == 401, dead.text
    assert live.status_code == 500, live.text


async def test_a_large_body_waits_for_the_token_lookup_before_it_is_read(
    client: Client, alice: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a body of a chat message's size is read before the token is known live:
    a caller without one cannot have a large body parsed."""
    checked: list[int] = []
    check = StrictBodies._check

    def counting(content_type: bytes, body: bytes) -> Any:
        checked.append(len(body))
        return check(content_type, body)

    chat = await create_conversation(client, alice.headers)
    monkeypatch.setattr(StrictBodies, "_check", staticmethod(counting))
    large = {"role": "user", "content": "x" * (TOKEN_IN_STATEMENT_MAX_BODY + 1)}
    small = {"role": "user", "content": "hello"}

    refused_large = await client.post(_messages(chat["id"]), json=large, headers=DEAD)
    assert checked == []
    refused_small = await client.post(_messages(chat["id"]), json=small, headers=DEAD)
    assert len(checked) == 1
    accepted_large = await client.post(_messages(chat["id"]), json=large, headers=alice.headers)

    assert (refused_large.status_code, refused_small.status_code) == (401, 401)
    assert accepted_large.status_code == 201, accepted_large.text
    assert len(checked) == 2


async def test_a_lookup_that_breaks_its_connection_is_503_and_the_connection_is_closed(
    client: Client, alice: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    released_after: list[BaseException | None] = []
    release = RequestConnection.release

    async def recording(self: RequestConnection, error: BaseException | None = None) -> None:
        released_after.append(error)
        await release(self, error)

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise asyncpg.InterfaceError("connection was closed in the middle of operation")

    monkeypatch.setattr(RequestConnection, "release", recording)
    monkeypatch.setattr(sessions, "get_user_by_token", broken)
    # a 404 held back for the lookup, which then breaks
    response = await client.get(_messages(random_id()), headers=DEAD)

    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "1"
    assert any(isinstance(error, asyncpg.InterfaceError) for error in released_after)


async def test_a_route_that_fails_after_answering_still_answers_a_dead_token_401(
    app_database_url: str, alice: Account
) -> None:
    """A 4xx held back, then an exception (a background task failing): the held
    answer goes to a live token, a 401 to a dead one."""

    async def failing_task() -> None:
        raise RuntimeError("a background task failed")

    @get("/answered-then-failed", opt=TOKEN_IN_STATEMENT)
    async def answered_then_failed() -> Response[dict[str, str]]:
        return Response({"detail": "nothing here"}, status_code=404, background=failing_task)

    async def connect(app: Litestar) -> None:
        app.state.pool = await create_pool(app_database_url, min_size=1, max_size=2)

    async def disconnect(app: Litestar) -> None:
        await app.state.pool.close()

    app = Litestar(
        [answered_then_failed],
        middleware=[auth_middleware],
        state=State({"settings": load_settings()}),
        on_startup=[connect],
        on_shutdown=[disconnect],
    )
    # A real server: the test client answers 500 to any exception, whatever was sent.
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not serving.done(), serving
            await asyncio.sleep(0.01)
        answers = []
        for headers in (DEAD, alice.headers):  # uvicorn closes a connection after an error
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                answers.append(await http.get("/answered-then-failed", headers=headers))
        dead, live = answers
    finally:
        server.should_exit = True
        await serving

    assert dead.status_code == 401, dead.text
    assert (live.status_code, live.json()) == (404, {"detail": "nothing here"})
