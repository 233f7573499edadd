from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from service.db import Executor, Listing
from service.queries.generated import messages as generated
from service.queries.generated.messages import ListedMessage as ListedMessage
from service.queries.generated.messages import Message as Message

Role = Literal["user", "assistant", "system"]


class NewMessage(msgspec.Struct, frozen=True):
    role: Role
    content: str
    metadata: dict[str, Any] = {}


get_by_id = generated.get_by_id
count_by_conversation = generated.count_by_conversation
update = generated.update
exists = generated.exists


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
    return await generated.create(
        db, conversation_id=conversation_id, user_id=user_id, role=role, content=content,
        metadata=metadata or {},
    )  # fmt: skip


async def create_for_session(
    db: Executor,
    *,
    conversation_id: UUID,
    token_hash: str,
    role: Role,
    content: str,
    metadata: dict[str, Any] | None = None,
) -> Message | None:
    """create, for the user of the live session `token_hash` names, checked in the same
    statement; None when the session is not live or the conversation not its user's."""
    return await generated.create_for_session(
        db, conversation_id=conversation_id, token_hash=token_hash, role=role, content=content,
        metadata=metadata or {},
    )  # fmt: skip


async def create_many(
    db: Executor, *, conversation_id: UUID, user_id: UUID, messages: Sequence[NewMessage]
) -> list[Message]:
    """Inserts all messages in one round trip, in order; [] for a foreign conversation."""
    return await generated.create_many(
        db, conversation_id=conversation_id, user_id=user_id,
        roles=[m.role for m in messages], contents=[m.content for m in messages],
        metadatas=[m.metadata for m in messages],
    )  # fmt: skip


async def list_by_conversation(
    db: Executor,
    *,
    conversation_id: UUID,
    user_id: UUID,
    after: tuple[datetime, UUID] | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[ListedMessage] | None:
    """Oldest first, with the conversation's message count; `after` is the
    (created_at, id) of the previous page's last message. None when the
    conversation is not the user's. A ListedMessage is a Message whose metadata is
    the stored JSON text, for answering as it is."""
    created_at, message_id = after or (None, None)
    page = await generated.list_by_conversation(
        db, conversation_id=conversation_id, user_id=user_id, after_created_at=created_at,
        after_id=message_id, limit=limit, offset=offset,
    )  # fmt: skip
    return _listing(page)


async def list_by_conversation_for_session(
    db: Executor,
    *,
    conversation_id: UUID,
    token_hash: str,
    after: tuple[datetime, UUID] | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[ListedMessage] | None:
    """list_by_conversation, for the user of the live session `token_hash` names,
    checked in the same statement; None when the session is not live or the
    conversation not its user's."""
    created_at, message_id = after or (None, None)
    page = await generated.list_by_conversation_for_session(
        db, conversation_id=conversation_id, token_hash=token_hash, after_created_at=created_at,
        after_id=message_id, limit=limit, offset=offset,
    )  # fmt: skip
    return _listing(page)


async def list_last_n(
    db: Executor, *, conversation_id: UUID, user_id: UUID, n: int
) -> Listing[ListedMessage] | None:
    """The newest n, oldest first; None when the conversation is not the user's."""
    page = await generated.list_last_n(db, conversation_id=conversation_id, user_id=user_id, n=n)
    return _listing(page)


async def list_last_n_for_session(
    db: Executor, *, conversation_id: UUID, token_hash: str, n: int
) -> Listing[ListedMessage] | None:
    """list_last_n, for the user of the live session `token_hash` names, checked in the
    same statement; None when the session is not live or the conversation not its user's."""
    page = await generated.list_last_n_for_session(
        db, conversation_id=conversation_id, token_hash=token_hash, n=n
    )
    return _listing(page)


def _listing(page: tuple[int, list[ListedMessage]] | None) -> Listing[ListedMessage] | None:
    return None if page is None else Listing(page[1], page[0])


delete = generated.delete
