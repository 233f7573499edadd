"""/config: every logged-in user reads, only admins write."""

from datetime import datetime
from typing import Any

import asyncpg
import pytest

from tests.api.conftest import Account, SignUp
from tests.api.helpers import Client, Headers, assert_bad_request, total


@pytest.fixture
async def root(sign_up: SignUp) -> Account:
    return await sign_up("root", admin=True)


async def put_config(client: Client, headers: Headers, key: str, body: dict[str, Any]) -> Any:
    response = await client.put(f"/config/{key}", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def config_count(session_conn: asyncpg.Connection) -> int:
    count: int = await session_conn.fetchval("SELECT count(*) FROM config")
    return count


# --- write: admins only -----------------------------------------------------------------


async def test_put_by_a_non_admin_is_403_and_writes_nothing(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    response = await client.put("/config/chunk_size", json={"value": 512}, headers=alice.headers)

    assert response.status_code == 403, response.text
    assert "admin" in response.json()["detail"]
    assert await config_count(session_conn) == 0


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"model": "gpt", "temperature": 0.2, "stop": ["\n"]}, id="object"),
        pytest.param([1, "two", {"three": 3}], id="list"),
        pytest.param([], id="empty-list"),
        pytest.param({}, id="empty-object"),
        pytest.param(512, id="int"),
        pytest.param(0, id="zero"),
        pytest.param(-1.25, id="float"),
        pytest.param("text", id="string"),
        pytest.param("", id="empty-string"),
        pytest.param(True, id="true"),
        pytest.param(False, id="false"),
    ],
)
async def test_put_by_an_admin_stores_any_json_value(
    client: Client, root: Account, alice: Account, value: Any
) -> None:
    response = await client.put("/config/setting", json={"value": value}, headers=root.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"key", "value", "description", "updated_at"}
    assert body["key"] == "setting"
    assert body["value"] == value
    assert type(body["value"]) is type(value)
    read = await client.get("/config/setting", headers=alice.headers)
    assert read.status_code == 200
    assert read.json()["value"] == value
    assert type(read.json()["value"]) is type(value)


async def test_put_stores_the_description(client: Client, root: Account) -> None:
    body = await put_config(
        client, root.headers, "chunk_size", {"value": 512, "description": "tokens per chunk"}
    )

    assert body["description"] == "tokens per chunk"
    datetime.fromisoformat(body["updated_at"])


async def test_put_again_replaces_the_value_and_keeps_the_description(
    client: Client, root: Account
) -> None:
    first = await put_config(
        client, root.headers, "chunk_size", {"value": 512, "description": "tokens per chunk"}
    )

    second = await put_config(client, root.headers, "chunk_size", {"value": 1024})

    assert second["value"] == 1024
    assert second["description"] == "tokens per chunk"
    assert datetime.fromisoformat(second["updated_at"]) > datetime.fromisoformat(
        first["updated_at"]
    )


async def test_put_with_a_null_value_is_400(
    client: Client, root: Account, session_conn: asyncpg.Connection
) -> None:
    response = await client.put("/config/setting", json={"value": None}, headers=root.headers)

    assert_bad_request(response, "value")
    assert await config_count(session_conn) == 0


async def test_put_with_a_null_value_keeps_the_old_value(client: Client, root: Account) -> None:
    await put_config(client, root.headers, "setting", {"value": "kept"})

    response = await client.put("/config/setting", json={"value": None}, headers=root.headers)

    assert response.status_code == 400
    read = await client.get("/config/setting", headers=root.headers)
    assert read.json()["value"] == "kept"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "value", id="missing-value"),
        pytest.param({"value": 1, "colour": "red"}, "colour", id="unknown-field"),
        pytest.param({"value": 1, "description": 5}, "description", id="description-not-text"),
    ],
)
async def test_put_with_a_bad_body_is_400(
    client: Client,
    root: Account,
    session_conn: asyncpg.Connection,
    body: dict[str, Any],
    field: str,
) -> None:
    response = await client.put("/config/setting", json=body, headers=root.headers)

    assert_bad_request(response, field)
    assert await config_count(session_conn) == 0


async def test_put_with_a_nul_character_in_the_value_is_400_not_500(
    client: Client, root: Account
) -> None:
    response = await client.put("/config/setting", json={"value": "a\u0000b"}, headers=root.headers)

    assert response.status_code == 400, response.text


# --- keys -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("bad%20key%21", id="space-and-bang"),
        pytest.param("k" * 101, id="101-chars"),
        pytest.param("caf%C3%A9", id="non-ascii"),
        pytest.param("line%0A", id="trailing-newline"),
    ],
)
async def test_put_with_an_invalid_key_is_400(
    client: Client, root: Account, session_conn: asyncpg.Connection, key: str
) -> None:
    # Observed: 400 (the key's pattern and length are checked on the path parameter;
    # a trailing newline slips past Python's `$` and is refused by the table's CHECK).
    response = await client.put(f"/config/{key}", json={"value": 1}, headers=root.headers)

    assert response.status_code == 400, response.text
    assert "key" in response.text
    assert await config_count(session_conn) == 0


@pytest.mark.parametrize("key", ["bad%20key%21", "k" * 101])
async def test_get_with_an_invalid_key_is_400(client: Client, alice: Account, key: str) -> None:
    response = await client.get(f"/config/{key}", headers=alice.headers)

    assert_bad_request(response, "key")


async def test_a_key_with_a_slash_matches_no_route(client: Client, root: Account) -> None:
    response = await client.put("/config/a%2Fb", json={"value": 1}, headers=root.headers)

    assert response.status_code == 404


async def test_a_key_of_100_characters_and_punctuation_is_accepted(
    client: Client, root: Account
) -> None:
    long_key = "k" * 100
    punctuated = "llm.model:default_v-2"

    assert (await put_config(client, root.headers, long_key, {"value": 1}))["key"] == long_key
    assert (await put_config(client, root.headers, punctuated, {"value": 2}))["key"] == punctuated


# --- read -------------------------------------------------------------------------------


async def test_get_a_missing_key_is_404(client: Client, alice: Account) -> None:
    response = await client.get("/config/nothing_here", headers=alice.headers)

    assert response.status_code == 404
    assert "nothing_here" in response.json()["detail"]


async def test_list_shows_every_key_in_order_with_the_total(
    client: Client, root: Account, alice: Account
) -> None:
    for key in ["b_key", "a_key", "c_key"]:
        await put_config(client, root.headers, key, {"value": key})

    response = await client.get("/config", headers=alice.headers)
    page = await client.get("/config?limit=1&offset=1", headers=alice.headers)

    assert response.status_code == 200
    assert [e["key"] for e in response.json()] == ["a_key", "b_key", "c_key"]
    assert total(response) == 3
    assert [e["key"] for e in page.json()] == ["b_key"]
    assert total(page) == 3


async def test_list_is_empty_without_settings(client: Client, alice: Account) -> None:
    response = await client.get("/config", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == []
    assert total(response) == 0


# --- delete -----------------------------------------------------------------------------


async def test_delete_by_an_admin_answers_204_then_404(client: Client, root: Account) -> None:
    await put_config(client, root.headers, "setting", {"value": 1})

    response = await client.delete("/config/setting", headers=root.headers)

    assert response.status_code == 204
    assert (await client.get("/config/setting", headers=root.headers)).status_code == 404
    assert (await client.delete("/config/setting", headers=root.headers)).status_code == 404


async def test_delete_by_a_non_admin_is_403_and_keeps_the_key(
    client: Client, root: Account, alice: Account
) -> None:
    await put_config(client, root.headers, "setting", {"value": 1})

    response = await client.delete("/config/setting", headers=alice.headers)

    assert response.status_code == 403, response.text
    assert (await client.get("/config/setting", headers=alice.headers)).status_code == 200


async def test_a_non_admin_gets_403_even_for_a_missing_key(client: Client, alice: Account) -> None:
    response = await client.delete("/config/nothing_here", headers=alice.headers)

    assert response.status_code == 403


async def test_an_admin_right_revoked_takes_effect_at_once(
    client: Client, root: Account, session_conn: asyncpg.Connection
) -> None:
    await session_conn.execute("UPDATE users SET is_admin = false WHERE username = 'root'")

    response = await client.put("/config/setting", json={"value": 1}, headers=root.headers)

    assert response.status_code == 403


# --- no token ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/config"),
        ("GET", "/config/setting"),
        ("PUT", "/config/setting"),
        ("DELETE", "/config/setting"),
    ],
)
async def test_config_without_a_token_is_401(
    client: Client, root: Account, method: str, url: str
) -> None:
    await put_config(client, root.headers, "setting", {"value": 1})

    response = await client.request(method, url, json={"value": 2} if method == "PUT" else None)

    assert response.status_code == 401, response.text
    read = await client.get("/config/setting", headers=root.headers)
    assert read.json()["value"] == 1
