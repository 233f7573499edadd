from datetime import datetime
from uuid import UUID

import msgspec

from service.db import Executor, many, one, sql
from service.queries.users import User


class Session(msgspec.Struct, frozen=True, gc=False):
    id: UUID
    user_id: UUID
    expires_at: datetime
    created_at: datetime


_CREATE = sql("sessions/create")
_GET_BY_TOKEN = sql("sessions/get_by_token")
_GET_USER_BY_TOKEN = sql("sessions/get_user_by_token")
_LIST_BY_USER = sql("sessions/list_by_user")
_COUNT_BY_USER = sql("sessions/count_by_user")
_DELETE = sql("sessions/delete")
_DELETE_BY_TOKEN = sql("sessions/delete_by_token")
_DELETE_EXPIRED = sql("sessions/delete_expired")


async def create(db: Executor, *, user_id: UUID, token_hash: str, ttl_seconds: float) -> Session:
    return Session(*await db.fetchrow(_CREATE, user_id, token_hash, ttl_seconds))


async def get_by_token(db: Executor, *, token_hash: str) -> Session | None:
    """The live session with this token hash; expired ones are not found."""
    return one(Session, await db.fetchrow(_GET_BY_TOKEN, token_hash))


async def get_user_by_token(db: Executor, *, token_hash: str) -> User | None:
    """The active user a live session belongs to."""
    return one(User, await db.fetchrow(_GET_USER_BY_TOKEN, token_hash))


async def list_by_user(db: Executor, *, user_id: UUID, limit: int, offset: int) -> list[Session]:
    return many(Session, await db.fetch(_LIST_BY_USER, user_id, limit, offset))


async def delete(db: Executor, *, session_id: UUID, user_id: UUID) -> bool:
    return await db.fetchval(_DELETE, session_id, user_id) is not None


async def delete_by_token(db: Executor, *, token_hash: str) -> bool:
    return await db.fetchval(_DELETE_BY_TOKEN, token_hash) is not None


async def delete_expired(db: Executor) -> int:
    """Purge expired sessions; returns how many went."""
    purged: int = await db.fetchval(_DELETE_EXPIRED)
    return purged


async def count_by_user(db: Executor, *, user_id: UUID) -> int:
    """Live sessions of a user."""
    result: int = await db.fetchval(_COUNT_BY_USER, user_id)
    return result
