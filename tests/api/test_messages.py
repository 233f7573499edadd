"""/conversations/{id}/messages: create, bulk, list (oldest first, ?last=N), edit, delete."""

from datetime import datetime
from typing import Any

import asyncpg
import pytest

from tests.api.conftest import Account
from tests.api.helpers import (
    Client,
    assert_bad_request,
    count_messages,
    create_conversation,
    post_message,
    random_id,
    total,
)

MESSAGE_FIELDS = {"id", "conversation_id", "user_id", "role", "content", "metadata", "created_at"}


def messages_url(conversation_id: str) -> str:
    return f"/conversations/{conversation_id}/messages"


async def conversation_with_messages(
    client: Client, account: Account, contents: list[str]
) -> tuple[str, list[Any]]:
    conversation = await create_conversation(client, account.headers)
    posted = [await post_message(client, account.headers, conversation["id"], c) for c in contents]
    return conversation["id"], posted


# --- create -----------------------------------------------------------------------------


async def test_post_answers_201_with_the_message(client: Client, alice: Account) -> None:
    conversation = await create_conversation(client, alice.headers)

    response = await client.post(
        messages_url(conversation["id"]),
        json={"role": "assistant", "content": "Hi there", "metadata": {"model": "x", "n": 2}},
        headers=alice.headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == MESSAGE_FIELDS
    assert body["role"] == "assistant"
    assert body["content"] == "Hi there"
    assert body["metadata"] == {"model": "x", "n": 2}
    assert body["conversation_id"] == conversation["id"]
    assert body["user_id"] == alice.user["id"]
    datetime.fromisoformat(body["created_at"])


async def test_post_without_metadata_stores_an_empty_object(client: Client, alice: Account) -> None:
    conversation = await create_conversation(client, alice.headers)

    body = await post_message(client, alice.headers, conversation["id"], "hello")

    assert body["metadata"] == {}


async def test_metadata_keeps_nested_json(client: Client, alice: Account) -> None:
    conversation = await create_conversation(client, alice.headers)
    metadata = {"sources": [{"video": "abc", "t": 1.5}], "flag": True, "none": None, "n": -3}

    body = await post_message(client, alice.headers, conversation["id"], "x", metadata=metadata)

    assert body["metadata"] == metadata
    fetched = await client.get(
        f"{messages_url(conversation['id'])}/{body['id']}", headers=alice.headers
    )
    assert fetched.json()["metadata"] == metadata


@pytest.mark.parametrize("last", [None, 5])
async def test_a_listed_message_is_the_message_fetched_by_id(
    client: Client, alice: Account, last: int | None
) -> None:
    """Lists hand the stored metadata over as PostgreSQL writes it (::json, unparsed);
    the JSON a client reads is the same as a single message's, odd values included."""
    conversation = await create_conversation(client, alice.headers)
    metadata = {
        "text": 'caf\u00e9 \u2028 "quoted" \\ tab\t \U0001f600',
        "numbers": [0, -1.5, 1.25e-7, 12345678901234567890, 2.0],
        "nested": {"a": [{"b": None}], "": True},
    }
    body = await post_message(client, alice.headers, conversation["id"], "x", metadata=metadata)
    fetched = await client.get(
        f"{messages_url(conversation['id'])}/{body['id']}", headers=alice.headers
    )

    listed = await client.get(
        messages_url(conversation["id"]),
        params={} if last is None else {"last": last},
        headers=alice.headers,
    )

    assert listed.status_code == 200, listed.text
    assert listed.json() == [fetched.json()]
    assert listed.json()[0]["metadata"] == metadata


@pytest.mark.parametrize("role", ["user", "assistant", "system"])
async def test_every_allowed_role_is_accepted(client: Client, alice: Account, role: str) -> None:
    conversation = await create_conversation(client, alice.headers)

    body = await post_message(client, alice.headers, conversation["id"], "x", role=role)

    assert body["role"] == role


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"role": "robot", "content": "x"}, "role", id="invalid-role"),
        pytest.param({"role": "USER", "content": "x"}, "role", id="role-in-upper-case"),
        pytest.param({"content": "x"}, "role", id="missing-role"),
        pytest.param({"role": "user"}, "content", id="missing-content"),
        pytest.param({"role": "user", "content": ""}, "content", id="empty-content"),
        pytest.param({"role": "user", "content": None}, "content", id="null-content"),
        pytest.param({"role": "user", "content": "x", "metadata": []}, "metadata", id="list"),
        pytest.param({"role": "user", "content": "x", "metadata": "m"}, "metadata", id="string"),
        pytest.param({"role": "user", "content": "x", "metadata": 3}, "metadata", id="number"),
        pytest.param({"role": "user", "content": "x", "metadata": None}, "metadata", id="null"),
        pytest.param({"role": "user", "content": "x", "extra": 1}, "extra", id="unknown-field"),
    ],
)
async def test_post_rejects_bad_input_with_400_and_writes_nothing(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    body: dict[str, Any],
    field: str,
) -> None:
    conversation = await create_conversation(client, alice.headers)

    response = await client.post(messages_url(conversation["id"]), json=body, headers=alice.headers)

    assert_bad_request(response, field)
    assert await count_messages(session_conn, conversation["id"]) == 0


async def test_post_with_a_nul_character_is_400_not_500(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    conversation = await create_conversation(client, alice.headers)

    response = await client.post(
        messages_url(conversation["id"]),
        json={"role": "user", "content": "a\u0000b"},
        headers=alice.headers,
    )

    assert response.status_code == 400, response.text
    assert await count_messages(session_conn, conversation["id"]) == 0


async def test_post_to_a_missing_conversation_is_404(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    missing = random_id()

    response = await client.post(
        messages_url(missing), json={"role": "user", "content": "x"}, headers=alice.headers
    )

    assert response.status_code == 404
    assert missing in response.json()["detail"]
    assert await session_conn.fetchval("SELECT count(*) FROM messages") == 0


# --- list -------------------------------------------------------------------------------


async def test_list_is_oldest_first_with_the_total(client: Client, alice: Account) -> None:
    conversation_id, posted = await conversation_with_messages(
        client, alice, ["one", "two", "three"]
    )

    response = await client.get(messages_url(conversation_id), headers=alice.headers)

    assert response.status_code == 200
    assert [m["content"] for m in response.json()] == ["one", "two", "three"]
    assert response.json() == posted
    assert total(response) == 3


async def test_list_pages_with_limit_and_offset(client: Client, alice: Account) -> None:
    contents = [f"m{i}" for i in range(5)]
    conversation_id, _ = await conversation_with_messages(client, alice, contents)
    url = messages_url(conversation_id)

    first = await client.get(f"{url}?limit=2", headers=alice.headers)
    middle = await client.get(f"{url}?limit=2&offset=2", headers=alice.headers)
    tail = await client.get(f"{url}?limit=2&offset=4", headers=alice.headers)
    beyond = await client.get(f"{url}?offset=5", headers=alice.headers)

    assert [m["content"] for m in first.json()] == ["m0", "m1"]
    assert [m["content"] for m in middle.json()] == ["m2", "m3"]
    assert [m["content"] for m in tail.json()] == ["m4"]
    assert beyond.json() == []
    assert {total(r) for r in (first, middle, tail, beyond)} == {5}


async def test_list_of_an_empty_conversation(client: Client, alice: Account) -> None:
    conversation = await create_conversation(client, alice.headers)

    response = await client.get(messages_url(conversation["id"]), headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == []
    assert total(response) == 0


async def test_list_of_a_missing_conversation_is_404(client: Client, alice: Account) -> None:
    response = await client.get(messages_url(random_id()), headers=alice.headers)

    assert response.status_code == 404


async def test_last_n_returns_the_newest_n_oldest_first(client: Client, alice: Account) -> None:
    contents = [f"m{i}" for i in range(6)]
    conversation_id, _ = await conversation_with_messages(client, alice, contents)

    response = await client.get(f"{messages_url(conversation_id)}?last=3", headers=alice.headers)

    assert response.status_code == 200
    assert [m["content"] for m in response.json()] == ["m3", "m4", "m5"]
    assert total(response) == 6


async def test_last_n_larger_than_the_conversation_returns_everything(
    client: Client, alice: Account
) -> None:
    conversation_id, _ = await conversation_with_messages(client, alice, ["a", "b"])

    response = await client.get(f"{messages_url(conversation_id)}?last=500", headers=alice.headers)

    assert [m["content"] for m in response.json()] == ["a", "b"]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("last=0", "last"),
        ("last=-2", "last"),
        ("last=501", "last"),
        ("last=many", "last"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("offset=-1", "offset"),
    ],
)
async def test_list_rejects_bad_paging_with_400(
    client: Client, alice: Account, query: str, param: str
) -> None:
    conversation_id, _ = await conversation_with_messages(client, alice, ["a"])

    response = await client.get(f"{messages_url(conversation_id)}?{query}", headers=alice.headers)

    assert_bad_request(response, param)


# --- bulk -------------------------------------------------------------------------------


async def test_bulk_answers_201_and_keeps_the_order(client: Client, alice: Account) -> None:
    conversation = await create_conversation(client, alice.headers)
    batch: list[dict[str, Any]] = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "question", "metadata": {"i": 1}},
        {"role": "assistant", "content": "answer", "metadata": {"i": 2}},
        {"role": "user", "content": "follow-up"},
    ]

    response = await client.post(
        f"{messages_url(conversation['id'])}/bulk", json=batch, headers=alice.headers
    )

    assert response.status_code == 201, response.text
    created = response.json()
    assert [(m["role"], m["content"]) for m in created] == [
        (m["role"], m["content"]) for m in batch
    ]
    assert [m["metadata"] for m in created] == [{}, {"i": 1}, {"i": 2}, {}]
    stamps = [datetime.fromisoformat(m["created_at"]) for m in created]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == len(stamps)
    listing = await client.get(messages_url(conversation["id"]), headers=alice.headers)
    assert [m["id"] for m in listing.json()] == [m["id"] for m in created]


async def test_bulk_after_single_messages_goes_after_them(client: Client, alice: Account) -> None:
    conversation_id, _ = await conversation_with_messages(client, alice, ["first"])

    await client.post(
        f"{messages_url(conversation_id)}/bulk",
        json=[{"role": "user", "content": "second"}, {"role": "user", "content": "third"}],
        headers=alice.headers,
    )

    last_two = await client.get(f"{messages_url(conversation_id)}?last=2", headers=alice.headers)
    everything = await client.get(messages_url(conversation_id), headers=alice.headers)
    assert [m["content"] for m in everything.json()] == ["first", "second", "third"]
    assert [m["content"] for m in last_two.json()] == ["second", "third"]


async def test_bulk_with_an_empty_list_is_400(client: Client, alice: Account) -> None:
    # The handler declares msgspec.Meta(min_length=1) on the body list.
    conversation = await create_conversation(client, alice.headers)

    response = await client.post(
        f"{messages_url(conversation['id'])}/bulk", json=[], headers=alice.headers
    )

    assert response.status_code == 400, response.text
    assert "length >= 1" in response.text


async def test_bulk_over_the_10000_item_limit_is_400_and_writes_nothing(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    # The handler declares msgspec.Meta(max_length=10_000) on the body list.
    conversation = await create_conversation(client, alice.headers)
    batch = [{"role": "user", "content": f"m{i}"} for i in range(10_001)]

    response = await client.post(
        f"{messages_url(conversation['id'])}/bulk", json=batch, headers=alice.headers
    )

    assert response.status_code == 400, response.status_code
    assert await count_messages(session_conn, conversation["id"]) == 0


async def test_bulk_of_exactly_10000_items_is_accepted(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    conversation = await create_conversation(client, alice.headers)
    batch = [{"role": "user", "content": f"m{i}"} for i in range(10_000)]

    response = await client.post(
        f"{messages_url(conversation['id'])}/bulk", json=batch, headers=alice.headers
    )

    assert response.status_code == 201, response.status_code
    assert [m["content"] for m in response.json()[:3]] == ["m0", "m1", "m2"]
    assert response.json()[-1]["content"] == "m9999"
    assert await count_messages(session_conn, conversation["id"]) == 10_000


async def test_bulk_into_a_missing_conversation_is_404(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    response = await client.post(
        f"{messages_url(random_id())}/bulk",
        json=[{"role": "user", "content": "x"}],
        headers=alice.headers,
    )

    assert response.status_code == 404
    assert await session_conn.fetchval("SELECT count(*) FROM messages") == 0


# --- no partial writes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_item",
    [
        pytest.param({"role": "robot", "content": "x"}, id="invalid-role"),
        pytest.param({"role": "user"}, id="missing-content"),
        pytest.param({"role": "user", "content": "x", "metadata": [1]}, id="metadata-list"),
        pytest.param({"role": "user", "content": "x\u0000y"}, id="nul-in-content"),
        pytest.param({"role": "user", "content": "x", "metadata": {"k": "\u0000"}}, id="nul-json"),
    ],
)
async def test_bulk_with_one_bad_item_is_400_and_writes_nothing(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    bad_item: dict[str, Any],
) -> None:
    conversation_id, _ = await conversation_with_messages(client, alice, ["existing"])
    before = await client.get(f"/conversations/{conversation_id}", headers=alice.headers)
    batch = [{"role": "user", "content": "good one"}, bad_item, {"role": "user", "content": "ok"}]

    response = await client.post(
        f"{messages_url(conversation_id)}/bulk", json=batch, headers=alice.headers
    )

    assert response.status_code == 400, response.text
    assert await count_messages(session_conn, conversation_id) == 1
    after = await client.get(f"/conversations/{conversation_id}", headers=alice.headers)
    assert after.json()["updated_at"] == before.json()["updated_at"]


# --- one message ------------------------------------------------------------------------


async def test_get_one_message(client: Client, alice: Account) -> None:
    conversation_id, posted = await conversation_with_messages(client, alice, ["a", "b"])

    response = await client.get(
        f"{messages_url(conversation_id)}/{posted[1]['id']}", headers=alice.headers
    )

    assert response.status_code == 200
    assert response.json() == posted[1]


async def test_get_a_message_through_another_conversation_is_404(
    client: Client, alice: Account
) -> None:
    _, posted = await conversation_with_messages(client, alice, ["a"])
    other = await create_conversation(client, alice.headers)

    response = await client.get(
        f"{messages_url(other['id'])}/{posted[0]['id']}", headers=alice.headers
    )

    assert response.status_code == 404


async def test_patch_changes_content_and_metadata(client: Client, alice: Account) -> None:
    conversation_id, posted = await conversation_with_messages(client, alice, ["draft"])
    url = f"{messages_url(conversation_id)}/{posted[0]['id']}"

    response = await client.patch(
        url, json={"content": "final", "metadata": {"edited": True}}, headers=alice.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["content"] == "final"
    assert response.json()["metadata"] == {"edited": True}
    assert response.json()["role"] == posted[0]["role"]
    assert (await client.get(url, headers=alice.headers)).json() == response.json()


async def test_patch_only_content_keeps_the_metadata(client: Client, alice: Account) -> None:
    conversation = await create_conversation(client, alice.headers)
    posted = await post_message(client, alice.headers, conversation["id"], "a", metadata={"k": 1})

    response = await client.patch(
        f"{messages_url(conversation['id'])}/{posted['id']}",
        json={"content": "b"},
        headers=alice.headers,
    )

    assert response.status_code == 200
    assert response.json()["metadata"] == {"k": 1}
    assert response.json()["content"] == "b"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"role": "system"}, "role", id="role-is-not-editable"),
        pytest.param({"content": ""}, "content", id="empty-content"),
        pytest.param({"metadata": ["x"]}, "metadata", id="metadata-not-object"),
    ],
)
async def test_patch_rejects_bad_input_and_keeps_the_message(
    client: Client, alice: Account, body: dict[str, Any], field: str
) -> None:
    conversation_id, posted = await conversation_with_messages(client, alice, ["keep"])
    url = f"{messages_url(conversation_id)}/{posted[0]['id']}"

    response = await client.patch(url, json=body, headers=alice.headers)

    assert_bad_request(response, field)
    assert (await client.get(url, headers=alice.headers)).json() == posted[0]


async def test_patch_a_missing_message_is_404(client: Client, alice: Account) -> None:
    conversation = await create_conversation(client, alice.headers)

    response = await client.patch(
        f"{messages_url(conversation['id'])}/{random_id()}",
        json={"content": "x"},
        headers=alice.headers,
    )

    assert response.status_code == 404


async def test_delete_one_message(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    conversation_id, posted = await conversation_with_messages(client, alice, ["a", "b"])
    url = f"{messages_url(conversation_id)}/{posted[0]['id']}"

    response = await client.delete(url, headers=alice.headers)

    assert response.status_code == 204
    assert (await client.get(url, headers=alice.headers)).status_code == 404
    assert (await client.delete(url, headers=alice.headers)).status_code == 404
    assert await count_messages(session_conn, conversation_id) == 1
    listing = await client.get(messages_url(conversation_id), headers=alice.headers)
    assert [m["content"] for m in listing.json()] == ["b"]
    assert total(listing) == 1
    conversation = await client.get(f"/conversations/{conversation_id}", headers=alice.headers)
    assert conversation.json()["message_count"] == 1


async def test_deleting_the_conversation_removes_its_messages(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    conversation_id, _ = await conversation_with_messages(client, alice, ["a", "b", "c"])
    kept_id, _ = await conversation_with_messages(client, alice, ["kept"])
    assert await count_messages(session_conn, conversation_id) == 3

    response = await client.delete(f"/conversations/{conversation_id}", headers=alice.headers)

    assert response.status_code == 204
    assert await count_messages(session_conn, conversation_id) == 0
    assert await count_messages(session_conn, kept_id) == 1
    listing = await client.get(messages_url(conversation_id), headers=alice.headers)
    assert listing.status_code == 404
