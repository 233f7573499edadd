from datetime import datetime
from uuid import UUID

import msgspec

from service.db import TOTAL_CAP, Executor, Listing, listing, one, sql


class Conversation(msgspec.Struct, frozen=True, gc=False):
    id: UUID
    user_id: UUID
    title: str
    message_count: int
    created_at: datetime
    updated_at: datetime


_CREATE = sql("conversations/create")
_GET_BY_ID = sql("conversations/get_by_id")
_LIST_BY_USER = sql("conversations/list_by_user")
_COUNT_BY_USER = sql("conversations/count_by_user")
_EXISTS = sql("conversations/exists")
_UPDATE = sql("conversations/update")
_DELETE = sql("conversations/delete")


async def create(db: Executor, *, user_id: UUID, title: str | None = None) -> Conversation:
    return Conversation(*await db.fetchrow(_CREATE, user_id, title))


async def get_by_id(db: Executor, *, conversation_id: UUID, user_id: UUID) -> Conversation | None:
    return one(Conversation, await db.fetchrow(_GET_BY_ID, conversation_id, user_id))


async def list_by_user(
    db: Executor,
    *,
    user_id: UUID,
    after: tuple[datetime, UUID] | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[Conversation]:
    """Most recently active first; `after` is the (updated_at, id) of the previous
    page's last row."""
    updated_at, conversation_id = after or (None, None)
    rows = await db.fetch(
        _LIST_BY_USER, user_id, TOTAL_CAP, updated_at, conversation_id, limit, offset
    )
    return listing(Conversation, rows, cap=TOTAL_CAP)


async def count_by_user(db: Executor, *, user_id: UUID) -> int:
    result: int = await db.fetchval(_COUNT_BY_USER, user_id)
    return result


async def exists(db: Executor, *, conversation_id: UUID, user_id: UUID) -> bool:
    result: bool = await db.fetchval(_EXISTS, conversation_id, user_id)
    return result


async def update(
    db: Executor, *, conversation_id: UUID, user_id: UUID, title: str | None = None
) -> Conversation | None:
    return one(Conversation, await db.fetchrow(_UPDATE, conversation_id, user_id, title))


async def delete(db: Executor, *, conversation_id: UUID, user_id: UUID) -> bool:
    """Deletes the conversation and, by cascade, its messages."""
    return await db.fetchval(_DELETE, conversation_id, user_id) is not None
