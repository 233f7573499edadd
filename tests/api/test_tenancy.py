"""The tenancy rule: a user never sees, changes or learns of another user's rows (a
foreign id answers exactly like a missing one), and every route but health, schema,
register and login needs a token."""

import re
import uuid
from typing import Any, NamedTuple

import asyncpg
import pytest
from httpx import Response
from litestar.routes import HTTPRoute

from tests.api.conftest import Account, SignUp
from tests.api.helpers import (
    Client,
    Headers,
    assert_same_not_found,
    count_messages,
    create_conversation,
    create_template,
    post_message,
    random_id,
    total,
)

# "/" only redirects to the API docs.
PUBLIC_PATHS = {"/", "/auth/register", "/auth/login"}
PATH_PARAM = re.compile(r"\{(\w+):(\w+)\}")


async def same_request_twice(
    client: Client,
    method: str,
    url_template: str,
    foreign_ids: dict[str, str],
    headers: Headers,
    body: Any = None,
) -> tuple[Response, Response, dict[str, str]]:
    """The request against someone else's ids, and again against fresh random ids."""
    missing_ids = {name: random_id() for name in foreign_ids}
    foreign = await client.request(
        method, url_template.format(**foreign_ids), json=body, headers=headers
    )
    missing = await client.request(
        method, url_template.format(**missing_ids), json=body, headers=headers
    )
    return foreign, missing, missing_ids


def assert_indistinguishable(
    foreign: Response, missing: Response, foreign_ids: dict[str, str], missing_ids: dict[str, str]
) -> None:
    """Compare the two answers with each request's ids blanked to the same placeholder."""
    assert foreign.status_code == 404, foreign.text
    assert missing.status_code == 404, missing.text
    foreign_text, missing_text = foreign.text, missing.text
    for name, value in foreign_ids.items():
        foreign_text = foreign_text.replace(value, f"<{name}>")
        missing_text = missing_text.replace(missing_ids[name], f"<{name}>")
    assert foreign_text == missing_text


@pytest.fixture
async def bobs_rows(client: Client, bob: Account) -> dict[str, str]:
    """A conversation with a message and a template, all bob's."""
    conversation = await create_conversation(client, bob.headers, "bob's secret plans")
    message = await post_message(client, bob.headers, conversation["id"], "bob's secret")
    template = await create_template(client, bob.headers, template_name="Bob's", is_default=True)
    return {
        "conversation_id": conversation["id"],
        "message_id": message["id"],
        "template_id": template["id"],
    }


# --- conversations ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "body"),
    [("GET", None), ("PATCH", {"title": "mine now"}), ("DELETE", None)],
)
async def test_bobs_conversation_is_404_for_alice_like_a_missing_one(
    client: Client, alice: Account, bobs_rows: dict[str, str], method: str, body: Any
) -> None:
    ids = {"conversation_id": bobs_rows["conversation_id"]}

    foreign, missing, missing_ids = await same_request_twice(
        client, method, "/conversations/{conversation_id}", ids, alice.headers, body
    )

    assert_indistinguishable(foreign, missing, ids, missing_ids)
    assert_same_not_found(foreign, ids["conversation_id"], missing, missing_ids["conversation_id"])


async def test_alice_cannot_rename_or_delete_bobs_conversation(
    client: Client, alice: Account, bob: Account, bobs_rows: dict[str, str]
) -> None:
    url = f"/conversations/{bobs_rows['conversation_id']}"

    await client.patch(url, json={"title": "pwned"}, headers=alice.headers)
    await client.delete(url, headers=alice.headers)

    still = await client.get(url, headers=bob.headers)
    assert still.status_code == 200
    assert still.json()["title"] == "bob's secret plans"


async def test_bobs_list_never_includes_alices_conversations(
    client: Client, alice: Account, bob: Account, bobs_rows: dict[str, str]
) -> None:
    for i in range(3):
        await create_conversation(client, alice.headers, f"alice {i}")

    bobs = await client.get("/conversations", headers=bob.headers)
    alices = await client.get("/conversations", headers=alice.headers)

    assert [c["id"] for c in bobs.json()] == [bobs_rows["conversation_id"]]
    assert total(bobs) == 1
    assert total(alices) == 3
    assert {c["user_id"] for c in alices.json()} == {alice.user["id"]}


# --- messages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        pytest.param("GET", "/conversations/{conversation_id}/messages", None, id="list"),
        pytest.param("GET", "/conversations/{conversation_id}/messages?last=5", None, id="last"),
        pytest.param(
            "POST",
            "/conversations/{conversation_id}/messages",
            {"role": "user", "content": "injected"},
            id="post",
        ),
        pytest.param(
            "POST",
            "/conversations/{conversation_id}/messages/bulk",
            [{"role": "user", "content": "injected"}],
            id="bulk",
        ),
        pytest.param(
            "GET", "/conversations/{conversation_id}/messages/{message_id}", None, id="get"
        ),
        pytest.param(
            "PATCH",
            "/conversations/{conversation_id}/messages/{message_id}",
            {"content": "edited"},
            id="patch",
        ),
        pytest.param(
            "DELETE", "/conversations/{conversation_id}/messages/{message_id}", None, id="delete"
        ),
    ],
)
async def test_bobs_messages_are_404_for_alice_like_missing_ones(
    client: Client,
    alice: Account,
    bobs_rows: dict[str, str],
    session_conn: asyncpg.Connection,
    method: str,
    url: str,
    body: Any,
) -> None:
    ids = {
        name: bobs_rows[name] for name in ("conversation_id", "message_id") if f"{{{name}}}" in url
    }

    foreign, missing, missing_ids = await same_request_twice(
        client, method, url, ids, alice.headers, body
    )

    assert_indistinguishable(foreign, missing, ids, missing_ids)
    assert await count_messages(session_conn, bobs_rows["conversation_id"]) == 1
    content = await session_conn.fetchval(
        "SELECT content FROM messages WHERE id = $1", uuid.UUID(bobs_rows["message_id"])
    )
    assert content == "bob's secret"


async def test_bobs_message_through_alices_conversation_is_404(
    client: Client, alice: Account, bobs_rows: dict[str, str]
) -> None:
    own = await create_conversation(client, alice.headers)
    url = "/conversations/{conversation_id}/messages/{message_id}"
    foreign_ids = {"conversation_id": own["id"], "message_id": bobs_rows["message_id"]}
    missing_ids = {"conversation_id": own["id"], "message_id": random_id()}

    for method, body in (("GET", None), ("PATCH", {"content": "x"}), ("DELETE", None)):
        foreign = await client.request(
            method, url.format(**foreign_ids), json=body, headers=alice.headers
        )
        missing = await client.request(
            method, url.format(**missing_ids), json=body, headers=alice.headers
        )
        assert_same_not_found(
            foreign, foreign_ids["message_id"], missing, missing_ids["message_id"]
        )


async def test_alices_message_list_never_includes_bobs(
    client: Client, alice: Account, bob: Account, bobs_rows: dict[str, str]
) -> None:
    own = await create_conversation(client, alice.headers)
    await post_message(client, alice.headers, own["id"], "alice's")

    response = await client.get(f"/conversations/{own['id']}/messages", headers=alice.headers)

    assert [m["content"] for m in response.json()] == ["alice's"]
    assert total(response) == 1


# --- templates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "body"),
    [("GET", None), ("PATCH", {"template_content": "stolen"}), ("DELETE", None)],
)
async def test_bobs_template_is_404_for_alice_like_a_missing_one(
    client: Client,
    alice: Account,
    bob: Account,
    bobs_rows: dict[str, str],
    method: str,
    body: Any,
) -> None:
    ids = {"template_id": bobs_rows["template_id"]}

    foreign, missing, missing_ids = await same_request_twice(
        client, method, "/templates/{template_id}", ids, alice.headers, body
    )

    assert_indistinguishable(foreign, missing, ids, missing_ids)
    still = await client.get(f"/templates/{bobs_rows['template_id']}", headers=bob.headers)
    assert still.status_code == 200
    assert still.json()["template_content"] == "Hello {name}"


async def test_bobs_templates_never_appear_in_alices_list_or_resolve(
    client: Client, alice: Account, bob: Account, bobs_rows: dict[str, str]
) -> None:
    listing = await client.get("/templates", headers=alice.headers)
    linkedin = await client.get("/templates?type=linkedin", headers=alice.headers)
    resolved = await client.get("/templates/resolve?type=linkedin", headers=alice.headers)

    assert all(t["user_id"] is None for t in listing.json())
    assert total(listing) == 4
    assert total(linkedin) == 1
    assert resolved.json()["user_id"] is None
    bobs_resolve = await client.get("/templates/resolve?type=linkedin", headers=bob.headers)
    assert bobs_resolve.json()["id"] == bobs_rows["template_id"]


async def test_alice_may_reuse_bobs_template_name_and_default(
    client: Client, alice: Account, bobs_rows: dict[str, str]
) -> None:
    body = await create_template(client, alice.headers, template_name="Bob's", is_default=True)

    assert body["user_id"] == alice.user["id"]


async def test_an_admin_cannot_reach_another_users_template(
    client: Client, sign_up: SignUp, bobs_rows: dict[str, str]
) -> None:
    root = await sign_up("root", admin=True)
    ids = {"template_id": bobs_rows["template_id"]}

    foreign, missing, missing_ids = await same_request_twice(
        client, "PATCH", "/templates/{template_id}", ids, root.headers, {"template_name": "x"}
    )

    assert_indistinguishable(foreign, missing, ids, missing_ids)


# --- the route sweep --------------------------------------------------------------------


class Call(NamedTuple):
    method: str
    route: str  # as documented: /conversations/{conversation_id}
    path: str  # concrete: a random uuid4 for each id, "somekey" for {key}


def protected_calls(client: Client) -> list[Call]:
    """Every method of every route that should want a token."""
    calls = []
    for route in client.app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        if route.path.startswith(("/schema", "/health/")) or route.path in PUBLIC_PATHS:
            continue
        documented = PATH_PARAM.sub(r"{\1}", route.path)
        concrete = PATH_PARAM.sub(
            lambda m: random_id() if m.group(2) == "uuid" else "somekey", route.path
        )
        for method in sorted(route.methods - {"OPTIONS", "HEAD"}):
            calls.append(Call(method, documented, concrete))
    return calls


async def test_the_sweep_covers_every_operation_in_the_openapi_document(
    client: Client,
) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    documented = {
        (method.upper(), path)
        for path, operations in paths.items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
        and not path.startswith("/health/")
        and path not in PUBLIC_PATHS
    }

    swept = {(call.method, call.route) for call in protected_calls(client)}

    assert swept == documented
    assert ("POST", "/auth/logout") in swept
    assert ("GET", "/users/me") in swept
    assert ("POST", "/conversations/{conversation_id}/messages/bulk") in swept
    assert ("PUT", "/config/{key}") in swept
    assert len(swept) >= 20


async def test_every_protected_route_is_401_without_a_token(client: Client) -> None:
    answers = {}
    for method, _, path in protected_calls(client):
        body: dict[str, Any] | None = {} if method in {"POST", "PUT", "PATCH"} else None
        response = await client.request(method, path, json=body)
        answers[(method, path)] = response.status_code

    wrong = {request: status for request, status in answers.items() if status != 401}
    assert wrong == {}


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Bearer not-a-token", id="garbage-token"),
        pytest.param("Basic YWxpY2U6cGFzc3dvcmQ=", id="basic-auth"),
        pytest.param("Bearer ", id="empty-bearer"),
    ],
)
async def test_every_protected_route_is_401_with_a_bad_token(
    client: Client, authorization: str
) -> None:
    wrong = {}
    for method, _, path in protected_calls(client):
        body: dict[str, Any] | None = {} if method in {"POST", "PUT", "PATCH"} else None
        response = await client.request(
            method, path, json=body, headers={"Authorization": authorization}
        )
        if response.status_code != 401:
            wrong[(method, path)] = response.status_code

    assert wrong == {}


async def test_every_protected_route_is_401_with_an_expired_token(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    await session_conn.execute("UPDATE sessions SET expires_at = now() - interval '1 minute'")
    wrong = {}
    for method, _, path in protected_calls(client):
        body: dict[str, Any] | None = {} if method in {"POST", "PUT", "PATCH"} else None
        response = await client.request(method, path, json=body, headers=alice.headers)
        if response.status_code != 401:
            wrong[(method, path)] = response.status_code

    assert wrong == {}


@pytest.mark.parametrize(
    ("method", "path", "content"),
    [
        pytest.param("GET", "/templates/resolve", None, id="resolve-without-type"),
        pytest.param("GET", "/conversations?limit=0", None, id="bad-paging"),
        pytest.param("GET", "/config?offset=-1", None, id="bad-config-paging"),
        pytest.param("POST", "/conversations", b"not json", id="malformed-json"),
        pytest.param("PUT", "/config/somekey", b"{", id="malformed-json-config"),
    ],
)
async def test_a_missing_token_is_refused_before_the_input_is_validated(
    client: Client, method: str, path: str, content: bytes | None
) -> None:
    # An anonymous caller must get 401, not a 400 that reports on their input.
    response = await client.request(
        method, path, content=content, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 401, response.text


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/health/live", None),
        ("GET", "/health/ready", None),
        ("GET", "/schema/openapi.json", None),
        ("POST", "/auth/register", {}),
        ("POST", "/auth/login", {}),
    ],
)
async def test_public_routes_answer_without_a_token(
    client: Client, method: str, path: str, body: Any
) -> None:
    response = await client.request(method, path, json=body)

    assert response.status_code != 401
    assert response.status_code < 500
