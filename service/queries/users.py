from datetime import datetime
from uuid import UUID

import msgspec

from service.db import Executor, many, one, sql


class User(msgspec.Struct, frozen=True, gc=False):
    """A user as the API shows it: never the password hash."""

    id: UUID
    username: str
    email: str
    is_active: bool
    is_admin: bool
    created_at: datetime
    updated_at: datetime


class LoginAttempt(msgspec.Struct, frozen=True, gc=False):
    """What a login needs to know: the account (None fields when the login names
    none) and its throttling."""

    id: UUID | None
    password_hash: str | None
    is_active: bool | None
    wait_seconds: int
    failed_lately: bool
    address_spraying: bool


_CREATE = sql("users/create")
_GET_BY_ID = sql("users/get_by_id")
_GET_BY_EMAIL = sql("users/get_by_email")
_GET_BY_USERNAME = sql("users/get_by_username")
_GET_CREDENTIALS = sql("users/get_credentials")
_LIST = sql("users/list")
_COUNT = sql("users/count")
_EXISTS = sql("users/exists")
_UPDATE = sql("users/update")
_SET_ADMIN = sql("users/set_admin")
_DELETE = sql("users/delete")


async def create(db: Executor, *, username: str, email: str, password_hash: str) -> User:
    return User(*await db.fetchrow(_CREATE, username, email, password_hash))


async def get_by_id(db: Executor, *, user_id: UUID) -> User | None:
    return one(User, await db.fetchrow(_GET_BY_ID, user_id))


async def get_by_email(db: Executor, *, email: str) -> User | None:
    return one(User, await db.fetchrow(_GET_BY_EMAIL, email))


async def get_by_username(db: Executor, *, username: str) -> User | None:
    return one(User, await db.fetchrow(_GET_BY_USERNAME, username))


async def get_credentials(
    db: Executor, *, login: str, address: str, address_failures: int, window_seconds: int
) -> LoginAttempt:
    """The account a username or e-mail names, whatever the case, and how its
    logins and the client `address` are throttled (sql/users/get_credentials.sql)."""
    row = await db.fetchrow(_GET_CREDENTIALS, login, address, address_failures, window_seconds)
    return LoginAttempt(*row)


async def list_all(db: Executor, *, limit: int, offset: int) -> list[User]:
    return many(User, await db.fetch(_LIST, limit, offset))


async def count(db: Executor) -> int:
    result: int = await db.fetchval(_COUNT)
    return result


async def exists(db: Executor, *, user_id: UUID) -> bool:
    result: bool = await db.fetchval(_EXISTS, user_id)
    return result


async def update(
    db: Executor,
    *,
    user_id: UUID,
    username: str | None = None,
    email: str | None = None,
    password_hash: str | None = None,
    is_active: bool | None = None,
) -> User | None:
    row = await db.fetchrow(_UPDATE, user_id, username, email, password_hash, is_active)
    return one(User, row)


async def set_admin(db: Executor, *, username: str, is_admin: bool) -> User | None:
    return one(User, await db.fetchrow(_SET_ADMIN, username, is_admin))


async def delete(db: Executor, *, user_id: UUID) -> bool:
    return await db.fetchval(_DELETE, user_id) is not None
