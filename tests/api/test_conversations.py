"""CRUD on /conversations: defaults, paging, ordering by activity, validation."""

import uuid
from datetime import datetime

import asyncpg
import pytest

from tests.api.conftest import Account
from tests.api.helpers import (
    Client,
    assert_bad_request,
    create_conversation,
    post_message,
    random_id,
    total,
)

CONVERSATION_FIELDS = {"id", "user_id", "title", "message_count", "created_at", "updated_at"}


async def test_create_without_a_title_uses_the_default(client: Client, alice: Account) -> None:
    response = await client.post("/conversations", json={}, headers=alice.headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == CONVERSATION_FIELDS
    assert body["title"] == "New Conversation"
    assert body["user_id"] == alice.user["id"]
    assert body["message_count"] == 0
    uuid.UUID(body["id"])
    assert body["created_at"] == body["updated_at"]


async def test_create_with_a_null_title_uses_the_default(client: Client, alice: Account) -> None:
    response = await client.post("/conversations", json={"title": None}, headers=alice.headers)

    assert response.status_code == 201, response.text
    assert response.json()["title"] == "New Conversation"


async def test_create_with_a_title(client: Client, alice: Account) -> None:
    response = await client.post(
        "/conversations", json={"title": "Talk about PostgreSQL"}, headers=alice.headers
    )

    assert response.status_code == 201, response.text
    assert response.json()["title"] == "Talk about PostgreSQL"


async def test_create_with_a_title_of_500_characters(client: Client, alice: Account) -> None:
    body = await create_conversation(client, alice.headers, "t" * 500)

    assert body["title"] == "t" * 500


@pytest.mark.parametrize(
    "title",
    [
        pytest.param("t" * 501, id="501-chars"),
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param(42, id="not-a-string"),
    ],
)
async def test_create_with_a_bad_title_is_400(
    client: Client, alice: Account, session_conn: asyncpg.Connection, title: object
) -> None:
    response = await client.post("/conversations", json={"title": title}, headers=alice.headers)

    assert_bad_request(response, "title")
    assert await session_conn.fetchval("SELECT count(*) FROM conversations") == 0


async def test_create_with_an_unknown_field_is_400(client: Client, alice: Account) -> None:
    response = await client.post(
        "/conversations", json={"title": "x", "colour": "red"}, headers=alice.headers
    )

    assert_bad_request(response, "colour")


async def test_create_refuses_a_user_id_in_the_body(
    client: Client, alice: Account, bob: Account
) -> None:
    response = await client.post(
        "/conversations", json={"user_id": bob.user["id"]}, headers=alice.headers
    )

    assert_bad_request(response, "user_id")


async def test_list_is_empty_for_a_new_user(client: Client, alice: Account) -> None:
    response = await client.get("/conversations", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == []
    assert total(response) == 0


async def test_list_pages_with_limit_and_offset_and_counts_all(
    client: Client, alice: Account
) -> None:
    created = [await create_conversation(client, alice.headers, f"c{i}") for i in range(5)]
    newest_first = [c["id"] for c in reversed(created)]

    first = await client.get("/conversations?limit=2", headers=alice.headers)
    second = await client.get("/conversations?limit=2&offset=2", headers=alice.headers)
    last = await client.get("/conversations?limit=2&offset=4", headers=alice.headers)
    beyond = await client.get("/conversations?offset=10", headers=alice.headers)

    assert [c["id"] for c in first.json()] == newest_first[:2]
    assert [c["id"] for c in second.json()] == newest_first[2:4]
    assert [c["id"] for c in last.json()] == newest_first[4:]
    assert beyond.json() == []
    for response in (first, second, last, beyond):
        assert response.status_code == 200
        assert total(response) == 5


async def test_list_defaults_to_most_recently_created_first(client: Client, alice: Account) -> None:
    older = await create_conversation(client, alice.headers, "older")
    newer = await create_conversation(client, alice.headers, "newer")

    response = await client.get("/conversations", headers=alice.headers)

    assert [c["id"] for c in response.json()] == [newer["id"], older["id"]]


async def test_a_new_message_moves_an_older_conversation_first(
    client: Client, alice: Account
) -> None:
    older = await create_conversation(client, alice.headers, "older")
    newer = await create_conversation(client, alice.headers, "newer")

    await post_message(client, alice.headers, older["id"], "bump")

    response = await client.get("/conversations", headers=alice.headers)
    assert [c["id"] for c in response.json()] == [older["id"], newer["id"]]
    assert [c["message_count"] for c in response.json()] == [1, 0]
    bumped = response.json()[0]
    assert datetime.fromisoformat(bumped["updated_at"]) > datetime.fromisoformat(
        newer["updated_at"]
    )


async def test_a_bulk_insert_moves_an_older_conversation_first(
    client: Client, alice: Account
) -> None:
    older = await create_conversation(client, alice.headers, "older")
    newer = await create_conversation(client, alice.headers, "newer")

    bulk = await client.post(
        f"/conversations/{older['id']}/messages/bulk",
        json=[{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}],
        headers=alice.headers,
    )
    assert bulk.status_code == 201, bulk.text

    response = await client.get("/conversations", headers=alice.headers)
    assert [c["id"] for c in response.json()] == [older["id"], newer["id"]]
    assert [c["message_count"] for c in response.json()] == [2, 0]
    fetched = await client.get(f"/conversations/{older['id']}", headers=alice.headers)
    assert fetched.json()["message_count"] == 2


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=abc", "limit"),
        ("offset=-1", "offset"),
    ],
)
async def test_list_rejects_bad_paging_with_400(
    client: Client, alice: Account, query: str, param: str
) -> None:
    response = await client.get(f"/conversations?{query}", headers=alice.headers)

    assert_bad_request(response, param)


async def test_list_with_an_offset_beyond_bigint_is_400_not_500(
    client: Client, alice: Account
) -> None:
    response = await client.get(f"/conversations?offset={2**64}", headers=alice.headers)

    assert response.status_code == 400, response.text


async def test_list_accepts_the_largest_page(client: Client, alice: Account) -> None:
    await create_conversation(client, alice.headers)

    response = await client.get("/conversations?limit=500", headers=alice.headers)

    assert response.status_code == 200
    assert len(response.json()) == 1


async def test_get_one(client: Client, alice: Account) -> None:
    created = await create_conversation(client, alice.headers, "mine")

    response = await client.get(f"/conversations/{created['id']}", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == created


async def test_get_a_missing_conversation_is_404(client: Client, alice: Account) -> None:
    missing = random_id()

    response = await client.get(f"/conversations/{missing}", headers=alice.headers)

    assert response.status_code == 404
    assert missing in response.json()["detail"]


async def test_get_with_an_id_that_is_not_a_uuid_is_404(client: Client, alice: Account) -> None:
    response = await client.get("/conversations/42", headers=alice.headers)

    assert response.status_code == 404
    assert response.json()["status_code"] == 404


async def test_patch_renames(client: Client, alice: Account) -> None:
    created = await create_conversation(client, alice.headers, "before")

    response = await client.patch(
        f"/conversations/{created['id']}", json={"title": "after"}, headers=alice.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["title"] == "after"
    assert response.json()["id"] == created["id"]
    again = await client.get(f"/conversations/{created['id']}", headers=alice.headers)
    assert again.json()["title"] == "after"


async def test_patch_without_a_title_keeps_it(client: Client, alice: Account) -> None:
    created = await create_conversation(client, alice.headers, "keep me")

    response = await client.patch(f"/conversations/{created['id']}", json={}, headers=alice.headers)

    assert response.status_code == 200
    assert response.json()["title"] == "keep me"


@pytest.mark.parametrize(
    "title", [pytest.param("t" * 501, id="501-chars"), pytest.param("", id="empty")]
)
async def test_patch_with_a_bad_title_is_400_and_keeps_the_old_one(
    client: Client, alice: Account, title: str
) -> None:
    created = await create_conversation(client, alice.headers, "old")

    response = await client.patch(
        f"/conversations/{created['id']}", json={"title": title}, headers=alice.headers
    )

    assert_bad_request(response, "title")
    again = await client.get(f"/conversations/{created['id']}", headers=alice.headers)
    assert again.json()["title"] == "old"


async def test_patch_a_missing_conversation_is_404(client: Client, alice: Account) -> None:
    response = await client.patch(
        f"/conversations/{random_id()}", json={"title": "x"}, headers=alice.headers
    )

    assert response.status_code == 404


async def test_delete_answers_204_then_the_conversation_is_gone(
    client: Client, alice: Account
) -> None:
    created = await create_conversation(client, alice.headers)

    response = await client.delete(f"/conversations/{created['id']}", headers=alice.headers)

    assert response.status_code == 204
    assert response.content == b""
    gone = await client.get(f"/conversations/{created['id']}", headers=alice.headers)
    assert gone.status_code == 404
    again = await client.delete(f"/conversations/{created['id']}", headers=alice.headers)
    assert again.status_code == 404
    listing = await client.get("/conversations", headers=alice.headers)
    assert listing.json() == []
    assert total(listing) == 0


async def test_create_without_a_body_uses_the_default_title(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    response = await client.post("/conversations", headers=alice.headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == CONVERSATION_FIELDS
    assert (body["title"], body["user_id"]) == ("New Conversation", alice.user["id"])
    stored = await session_conn.fetchval(
        "SELECT title FROM conversations WHERE id = $1", uuid.UUID(body["id"])
    )
    assert stored == "New Conversation"


async def test_create_with_a_json_null_body_uses_the_default_title(
    client: Client, alice: Account
) -> None:
    response = await client.post(
        "/conversations",
        content=b"null",
        headers={**alice.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 201, response.text
    assert response.json()["title"] == "New Conversation"


async def test_create_with_a_body_that_is_not_an_object_is_still_400(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    response = await client.post("/conversations", json=["a title"], headers=alice.headers)

    assert response.status_code == 400, response.text
    assert await session_conn.fetchval("SELECT count(*) FROM conversations") == 0
