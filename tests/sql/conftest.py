"""Helpers for the query and schema tests: users, conversations and token hashes."""

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

import asyncpg
import pytest

from service.queries import conversations, users

PASSWORD_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"

MakeUser = Callable[..., Awaitable[users.User]]


def token_hash(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


async def db_now(db: asyncpg.Connection) -> datetime:
    """The transaction's now(): every now() default and trigger in the test sees it."""
    value: datetime = await db.fetchval("SELECT now()")
    return value


@pytest.fixture
def make_user(db: asyncpg.Connection) -> MakeUser:
    async def make(
        prefix: str = "user", *, email: str | None = None, username: str | None = None
    ) -> users.User:
        name = username or f"{prefix}_{uuid.uuid4().hex[:10]}"
        return await users.create(
            db, username=name, email=email or f"{name}@example.com", password_hash=PASSWORD_HASH
        )

    return make


@pytest.fixture
async def alice(make_user: MakeUser) -> users.User:
    return await make_user("alice")


@pytest.fixture
async def bob(make_user: MakeUser) -> users.User:
    return await make_user("bob")


@pytest.fixture
async def conversation(db: asyncpg.Connection, alice: users.User) -> conversations.Conversation:
    return await conversations.create(db, user_id=alice.id, title="Alice's chat")


@pytest.fixture(scope="session")
def committing_database_url(make_database: Callable[[], str]) -> str:
    """A private, migrated database for tests that must commit (concurrency, races):
    the rolled-back `db` cannot show what other connections see."""
    from service.tooling import migrations

    url = make_database()
    migrations.apply(url)
    return url
