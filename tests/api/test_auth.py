"""Registration, login, logout, /users/me, and how sessions and passwords are stored."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from tests.api.conftest import Account, SignUp
from tests.api.helpers import Client, assert_bad_request

PASSWORD = "correct horse battery"
USER_FIELDS = {"id", "username", "email", "is_active", "is_admin", "created_at", "updated_at"}


def registration(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "username": "carol",
        "email": "carol@example.com",
        "password": PASSWORD,
    }
    body.update(overrides)
    return body


async def register(client: Client, **overrides: Any) -> Any:
    response = await client.post("/auth/register", json=registration(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


async def login(client: Client, login_name: str, password: str = PASSWORD) -> Any:
    response = await client.post("/auth/login", json={"login": login_name, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def user_count(session_conn: asyncpg.Connection) -> int:
    count: int = await session_conn.fetchval("SELECT count(*) FROM users")
    return count


# --- register ---------------------------------------------------------------------------


async def test_register_answers_201_with_the_user(client: Client) -> None:
    response = await client.post("/auth/register", json=registration())

    assert response.status_code == 201, response.text
    user = response.json()
    assert set(user) == USER_FIELDS
    uuid.UUID(user["id"])
    assert user["username"] == "carol"
    assert user["email"] == "carol@example.com"
    assert user["is_active"] is True
    assert user["is_admin"] is False
    datetime.fromisoformat(user["created_at"])
    datetime.fromisoformat(user["updated_at"])


async def test_register_never_returns_the_password_or_its_hash(client: Client) -> None:
    response = await client.post("/auth/register", json=registration())

    assert response.status_code == 201
    assert "password" not in response.text
    assert PASSWORD not in response.text
    assert "$argon2" not in response.text


async def test_register_stores_an_argon2id_hash(
    client: Client, session_conn: asyncpg.Connection
) -> None:
    user = await register(client)

    stored = await session_conn.fetchval(
        "SELECT password_hash FROM users WHERE id = $1", uuid.UUID(user["id"])
    )
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


async def test_register_duplicate_username_is_409_naming_the_username(client: Client) -> None:
    await register(client)

    response = await client.post("/auth/register", json=registration(email="other@example.com"))

    assert response.status_code == 409, response.text
    assert response.json()["status_code"] == 409
    assert "username" in response.json()["detail"]


async def test_register_duplicate_email_in_another_case_is_409_naming_the_email(
    client: Client,
) -> None:
    await register(client)

    response = await client.post(
        "/auth/register", json=registration(username="carol2", email="CAROL@Example.COM")
    )

    assert response.status_code == 409, response.text
    assert "email" in response.json()["detail"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"email": "not-an-email"}, "email", id="email-without-at"),
        pytest.param({"email": "carol@localhost"}, "email", id="email-without-domain-dot"),
        pytest.param({"email": "ca rol@example.com"}, "email", id="email-with-space"),
        pytest.param({"password": "short"}, "password", id="password-too-short"),
        pytest.param({"password": 12345678}, "password", id="password-not-a-string"),
        pytest.param({"username": "ab"}, "username", id="username-too-short"),
        pytest.param({"username": "u" * 51}, "username", id="username-too-long"),
        pytest.param({"username": "bad name!"}, "username", id="username-bad-characters"),
        pytest.param({"username": "carol\n"}, "username", id="username-trailing-newline"),
        pytest.param({"favourite_colour": "blue"}, "favourite_colour", id="unknown-field"),
        pytest.param({"is_admin": True}, "is_admin", id="is-admin-cannot-be-set"),
    ],
)
async def test_register_rejects_bad_input_with_400_naming_the_field(
    client: Client, session_conn: asyncpg.Connection, overrides: dict[str, Any], field: str
) -> None:
    response = await client.post("/auth/register", json=registration(**overrides))

    assert_bad_request(response, field)
    assert await user_count(session_conn) == 0


@pytest.mark.parametrize("missing", ["username", "email", "password"])
async def test_register_without_a_field_is_400_naming_it(
    client: Client, session_conn: asyncpg.Connection, missing: str
) -> None:
    body = registration()
    del body[missing]

    response = await client.post("/auth/register", json=body)

    assert_bad_request(response, missing)
    assert await user_count(session_conn) == 0


async def test_register_with_a_non_json_body_is_400(client: Client) -> None:
    response = await client.post(
        "/auth/register",
        content=b"username=carol&password=x",
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400, response.text
    assert "JSON" in response.json()["detail"]


async def test_register_with_a_json_array_body_is_400(client: Client) -> None:
    response = await client.post("/auth/register", json=[registration()])

    assert response.status_code == 400, response.text
    assert "object" in response.text


async def test_register_with_an_empty_body_is_400(client: Client) -> None:
    response = await client.post("/auth/register")

    assert response.status_code == 400, response.text


# --- login ------------------------------------------------------------------------------


async def test_login_by_username_returns_a_bearer_token(client: Client) -> None:
    await register(client)

    response = await client.post("/auth/login", json={"login": "carol", "password": PASSWORD})

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"token", "token_type", "expires_at"}
    assert body["token_type"] == "bearer"
    assert len(body["token"]) >= 32
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at > datetime.now(UTC) + timedelta(hours=1)


@pytest.mark.parametrize(
    "login_name", ["carol@example.com", "CAROL@EXAMPLE.COM", "Carol@Example.Com"]
)
async def test_login_by_email_in_any_case(client: Client, login_name: str) -> None:
    user = await register(client)

    token = (await login(client, login_name))["token"]

    me = await client.get("/users/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json()["id"] == user["id"]


async def test_login_when_the_email_was_registered_in_upper_case(client: Client) -> None:
    await register(client, email="Carol.Upper@Example.COM")

    body = await login(client, "carol.upper@example.com")

    assert body["token_type"] == "bearer"


async def test_each_login_issues_a_new_token(client: Client) -> None:
    await register(client)

    first = await login(client, "carol")
    second = await login(client, "carol")

    assert first["token"] != second["token"]


async def test_login_with_a_wrong_password_is_401(client: Client) -> None:
    await register(client)

    response = await client.post(
        "/auth/login", json={"login": "carol", "password": "wrong password"}
    )

    assert response.status_code == 401, response.text


async def test_login_as_an_unknown_user_is_401(client: Client) -> None:
    response = await client.post(
        "/auth/login", json={"login": "nobody", "password": "whatever password"}
    )

    assert response.status_code == 401, response.text


async def test_login_does_not_reveal_whether_the_user_exists(client: Client) -> None:
    await register(client)

    wrong_password = await client.post(
        "/auth/login", json={"login": "carol", "password": "wrong password"}
    )
    unknown_user = await client.post(
        "/auth/login", json={"login": "nobody", "password": "wrong password"}
    )

    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json()


async def test_login_without_a_password_is_400_naming_it(client: Client) -> None:
    response = await client.post("/auth/login", json={"login": "carol"})

    assert_bad_request(response, "password")


# --- logout -----------------------------------------------------------------------------


async def test_logout_answers_204_and_the_token_stops_working(
    client: Client, alice: Account
) -> None:
    response = await client.post("/auth/logout", headers=alice.headers)

    assert response.status_code == 204
    assert response.content == b""
    me = await client.get("/users/me", headers=alice.headers)
    assert me.status_code == 401


async def test_logout_ends_only_that_session(client: Client, alice: Account) -> None:
    other = await login(client, "alice", "pw-alice-long")

    await client.post("/auth/logout", headers=alice.headers)

    assert (await client.get("/users/me", headers=alice.headers)).status_code == 401
    assert (await client.get("/users/me", headers=bearer(other["token"]))).status_code == 200


async def test_logout_removes_the_session_row(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    token_hash = hashlib.sha256(alice.token.encode()).hexdigest()

    await client.post("/auth/logout", headers=alice.headers)

    assert (
        await session_conn.fetchval(
            "SELECT count(*) FROM sessions WHERE token_hash = $1", token_hash
        )
        == 0
    )


async def test_logout_without_a_token_is_401(client: Client) -> None:
    response = await client.post("/auth/logout")

    assert response.status_code == 401


# --- /users/me --------------------------------------------------------------------------


async def test_me_with_a_token_returns_the_caller(client: Client, alice: Account) -> None:
    response = await client.get("/users/me", headers=alice.headers)

    assert response.status_code == 200, response.text
    assert response.json() == alice.user
    assert "password" not in response.text


async def test_me_accepts_a_lower_case_bearer_scheme(client: Client, alice: Account) -> None:
    response = await client.get("/users/me", headers={"Authorization": f"bearer {alice.token}"})

    assert response.status_code == 200


async def test_me_without_a_token_is_401_with_a_bearer_challenge(client: Client) -> None:
    response = await client.get("/users/me")

    assert response.status_code == 401
    assert response.json()["status_code"] == 401
    assert "Authorization" in response.json()["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    ["Token x", "Bearer ", "Bearer", "Basic Y2Fyb2w6cGFzc3dvcmQ=", "x"],
)
async def test_me_with_a_malformed_authorization_header_is_401(
    client: Client, alice: Account, header: str
) -> None:
    response = await client.get("/users/me", headers={"Authorization": header})

    assert response.status_code == 401, response.text


async def test_me_with_the_token_under_another_scheme_is_401(
    client: Client, alice: Account
) -> None:
    response = await client.get("/users/me", headers={"Authorization": f"Token {alice.token}"})

    assert response.status_code == 401


async def test_me_with_a_garbage_token_is_401(client: Client, alice: Account) -> None:
    response = await client.get("/users/me", headers=bearer("not-a-real-token"))

    assert response.status_code == 401
    assert "invalid or expired" in response.json()["detail"]


async def test_me_with_the_token_hash_instead_of_the_token_is_401(
    client: Client, alice: Account
) -> None:
    token_hash = hashlib.sha256(alice.token.encode()).hexdigest()

    response = await client.get("/users/me", headers=bearer(token_hash))

    assert response.status_code == 401


async def test_an_expired_session_is_401(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    await session_conn.execute(
        "UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE user_id = $1",
        uuid.UUID(alice.user["id"]),
    )

    response = await client.get("/users/me", headers=alice.headers)

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


# --- disabled users ---------------------------------------------------------------------


async def disable(session_conn: asyncpg.Connection, account: Account) -> None:
    await session_conn.execute(
        "UPDATE users SET is_active = false WHERE id = $1", uuid.UUID(account.user["id"])
    )


async def test_a_disabled_user_cannot_log_in(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    await disable(session_conn, alice)

    response = await client.post(
        "/auth/login", json={"login": "alice", "password": "pw-alice-long"}
    )

    assert response.status_code == 403, response.text
    assert "disabled" in response.json()["detail"]


async def test_a_disabled_user_with_a_wrong_password_gets_401_not_403(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    await disable(session_conn, alice)

    response = await client.post(
        "/auth/login", json={"login": "alice", "password": "wrong password"}
    )

    assert response.status_code == 401


async def test_a_disabled_users_existing_token_stops_working(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    await disable(session_conn, alice)

    response = await client.get("/users/me", headers=alice.headers)

    assert response.status_code == 401


# --- storage ----------------------------------------------------------------------------


async def test_sessions_store_only_the_sha256_of_the_token(
    client: Client, sign_up: SignUp, session_conn: asyncpg.Connection
) -> None:
    account = await sign_up("dave")

    rows = await session_conn.fetch(
        "SELECT * FROM sessions WHERE user_id = $1", uuid.UUID(account.user["id"])
    )

    assert len(rows) == 1
    assert rows[0]["token_hash"] == hashlib.sha256(account.token.encode()).hexdigest()
    for value in rows[0].values():
        assert account.token not in str(value)


async def test_the_token_appears_nowhere_in_the_sessions_table(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    dump = await session_conn.fetchval(
        "SELECT coalesce(string_agg(s::text, ' '), '') FROM sessions s"
    )

    assert alice.token not in dump
    assert hashlib.sha256(alice.token.encode()).hexdigest() in dump
