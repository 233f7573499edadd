from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from service.db import Executor, Listing, listing, many, one, sql

Role = Literal["user", "assistant", "system"]


class Message(msgspec.Struct, frozen=True, gc=False):
    id: UUID
    conversation_id: UUID
    user_id: UUID
    role: str
    content: str
    metadata: dict[str, Any]
    created_at: datetime


class NewMessage(msgspec.Struct, frozen=True):
    role: Role
    content: str
    metadata: dict[str, Any] = {}


_CREATE = sql("messages/create")
_CREATE_MANY = sql("messages/create_many")
_GET_BY_ID = sql("messages/get_by_id")
_LIST_BY_CONVERSATION = sql("messages/list_by_conversation")
_GET_LAST_N = sql("messages/get_last_n")
_COUNT_BY_CONVERSATION = sql("messages/count_by_conversation")
_EXISTS = sql("messages/exists")
_UPDATE = sql("messages/update")
_DELETE = sql("messages/delete")


async def create(
    db: Executor,
    *,
    conversation_id: UUID,
    user_id: UUID,
    role: Role,
    content: str,
    metadata: dict[str, Any] | None = None,
) -> Message | None:
    """None when the conversation is missing or not the user's."""
    row = await db.fetchrow(_CREATE, conversation_id, user_id, role, content, metadata or {})
    return one(Message, row)


async def create_many(
    db: Executor, *, conversation_id: UUID, user_id: UUID, messages: Sequence[NewMessage]
) -> list[Message]:
    """Inserts all messages in one round trip, in order; [] for a foreign conversation."""
    rows = await db.fetch(
        _CREATE_MANY,
        conversation_id,
        user_id,
        [m.role for m in messages],
        [m.content for m in messages],
        [m.metadata for m in messages],
    )
    return many(Message, rows)


async def get_by_id(
    db: Executor, *, message_id: UUID, conversation_id: UUID, user_id: UUID
) -> Message | None:
    return one(Message, await db.fetchrow(_GET_BY_ID, message_id, conversation_id, user_id))


async def list_by_conversation(
    db: Executor,
    *,
    conversation_id: UUID,
    user_id: UUID,
    after: tuple[datetime, UUID] | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[Message] | None:
    """Oldest first, with the conversation's message count; `after` is the
    (created_at, id) of the previous page's last message. None when the
    conversation is not the user's."""
    created_at, message_id = after or (None, None)
    rows = await db.fetch(
        _LIST_BY_CONVERSATION, conversation_id, user_id, created_at, message_id, limit, offset
    )
    return listing(Message, rows) if rows else None


async def get_last_n(
    db: Executor, *, conversation_id: UUID, user_id: UUID, n: int
) -> Listing[Message] | None:
    """The newest n, oldest first; None when the conversation is not the user's."""
    rows = await db.fetch(_GET_LAST_N, conversation_id, user_id, n)
    return listing(Message, rows) if rows else None


async def count_by_conversation(db: Executor, *, conversation_id: UUID, user_id: UUID) -> int:
    result: int = await db.fetchval(_COUNT_BY_CONVERSATION, conversation_id, user_id)
    return result


async def update(
    db: Executor,
    *,
    message_id: UUID,
    conversation_id: UUID,
    user_id: UUID,
    content: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Message | None:
    row = await db.fetchrow(_UPDATE, message_id, conversation_id, user_id, content, metadata)
    return one(Message, row)


async def delete(db: Executor, *, message_id: UUID, conversation_id: UUID, user_id: UUID) -> bool:
    return await db.fetchval(_DELETE, message_id, conversation_id, user_id) is not None


async def exists(db: Executor, *, message_id: UUID, conversation_id: UUID, user_id: UUID) -> bool:
    result: bool = await db.fetchval(_EXISTS, message_id, conversation_id, user_id)
    return result
