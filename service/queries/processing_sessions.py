"""Processing sessions: batch runs whose counters (and, from them, status) a trigger
keeps as their jobs move."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from service.db import TOTAL_CAP, Executor, Listing
from service.queries.generated import processing_sessions as generated
from service.queries.generated.processing_sessions import (
    ProcessingSession as ProcessingSession,
)

SessionStatus = Literal["pending", "running", "completed", "failed", "cancelled"]

get_by_id = generated.get_by_id
count_by_user = generated.count_by_user
exists = generated.exists
update = generated.update


async def create(
    db: Executor,
    *,
    user_id: UUID,
    name: str | None = None,
    configuration: dict[str, Any] | None = None,
) -> ProcessingSession:
    return await generated.create(db, user_id=user_id, name=name, configuration=configuration or {})


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
    total, items = await generated.list_by_user(
        db, user_id=user_id, status=status, cap=TOTAL_CAP, after_created_at=created_at,
        after_id=session_id, limit=limit, offset=offset,
    )  # fmt: skip
    return Listing.capped(items, total, TOTAL_CAP)


# Deletes the session and, by cascade, its jobs.
delete = generated.delete
