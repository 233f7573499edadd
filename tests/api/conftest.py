import itertools
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.queries import users

_serial = itertools.count()


class Account(NamedTuple):
    user: dict[str, Any]
    token: str
    headers: dict[str, str]


SignUp = Callable[..., Awaitable[Account]]


@pytest.fixture(autouse=True)
def _clean(clean_data: None) -> None:
    """Every API test starts from the migrated, empty database."""


@pytest.fixture
def sign_up(client: AsyncTestClient, session_conn: asyncpg.Connection) -> SignUp:  # type: ignore[type-arg]
    async def make(name: str | None = None, *, admin: bool = False) -> Account:
        username = name or f"user{next(_serial)}"
        password = f"pw-{username}-long"
        response = await client.post(
            "/auth/register",
            json={"username": username, "email": f"{username}@example.com", "password": password},
        )
        assert response.status_code == 201, response.text
        if admin:  # as `tubebase admin grant` does: never over HTTP
            await users.set_admin(session_conn, username=username, is_admin=True)
        login = await client.post("/auth/login", json={"login": username, "password": password})
        assert login.status_code == 200, login.text
        token = login.json()["token"]
        return Account(response.json(), token, {"Authorization": f"Bearer {token}"})

    return make


@pytest.fixture
async def alice(sign_up: SignUp) -> Account:
    return await sign_up("alice")


@pytest.fixture
async def bob(sign_up: SignUp) -> Account:
    return await sign_up("bob")
