from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from service.db import TOTAL_CAP, Executor, Listing, listing, one, sql

SessionStatus = Literal["pending", "running", "completed", "failed", "cancelled"]


class ProcessingSession(msgspec.Struct, frozen=True, gc=False):
    """A batch run; its counters are kept by a trigger as its jobs move."""

    id: UUID
    user_id: UUID
    name: str
    status: str
    configuration: dict[str, Any]
    total_items: int
    completed_items: int
    failed_items: int
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    updated_at: datetime


_CREATE = sql("processing_sessions/create")
_GET_BY_ID = sql("processing_sessions/get_by_id")
_LIST_BY_USER = sql("processing_sessions/list_by_user")
_COUNT_BY_USER = sql("processing_sessions/count_by_user")
_EXISTS = sql("processing_sessions/exists")
_UPDATE = sql("processing_sessions/update")
_DELETE = sql("processing_sessions/delete")


async def create(
    db: Executor,
    *,
    user_id: UUID,
    name: str | None = None,
    configuration: dict[str, Any] | None = None,
) -> ProcessingSession:
    return ProcessingSession(*await db.fetchrow(_CREATE, user_id, name, configuration or {}))


async def get_by_id(db: Executor, *, session_id: UUID, user_id: UUID) -> ProcessingSession | None:
    return one(ProcessingSession, await db.fetchrow(_GET_BY_ID, session_id, user_id))


async def list_by_user(
    db: Executor,
    *,
    user_id: UUID,
    status: SessionStatus | None = None,
    after: tuple[datetime, UUID] | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[ProcessingSession]:
    """Newest first; `after` is the (created_at, id) of the previous page's last row."""
    created_at, session_id = after or (None, None)
    rows = await db.fetch(
        _LIST_BY_USER, user_id, status, TOTAL_CAP, created_at, session_id, limit, offset
    )
    return listing(ProcessingSession, rows, cap=TOTAL_CAP)


async def count_by_user(db: Executor, *, user_id: UUID, status: SessionStatus | None = None) -> int:
    result: int = await db.fetchval(_COUNT_BY_USER, user_id, status)
    return result


async def exists(db: Executor, *, session_id: UUID, user_id: UUID) -> bool:
    result: bool = await db.fetchval(_EXISTS, session_id, user_id)
    return result


async def update(
    db: Executor,
    *,
    session_id: UUID,
    user_id: UUID,
    name: str | None = None,
    status: SessionStatus | None = None,
    configuration: dict[str, Any] | None = None,
) -> ProcessingSession | None:
    row = await db.fetchrow(_UPDATE, session_id, user_id, name, status, configuration)
    return one(ProcessingSession, row)


async def delete(db: Executor, *, session_id: UUID, user_id: UUID) -> bool:
    """Deletes the session and, by cascade, its jobs."""
    return await db.fetchval(_DELETE, session_id, user_id) is not None
