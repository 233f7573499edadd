from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from service.db import Executor, Listing, listing, one, sql


class Participant(msgspec.Struct, frozen=True, gc=False):
    id: UUID
    user_id: UUID
    meeting_id: UUID
    name: str
    email: str | None
    is_organizer: bool
    created_at: datetime
    updated_at: datetime


_CREATE = sql("participants/create")
_GET_BY_ID = sql("participants/get_by_id")
_LIST_BY_MEETING = sql("participants/list_by_meeting")
_COUNT_BY_MEETING = sql("participants/count_by_meeting")
_UPDATE = sql("participants/update")
_DELETE = sql("participants/delete")


async def create(
    db: Executor,
    *,
    user_id: UUID,
    meeting_id: UUID,
    name: str,
    email: str | None = None,
    is_organizer: bool = False,
) -> Participant:
    """Another user's meeting raises asyncpg.ForeignKeyViolationError."""
    row = await db.fetchrow(_CREATE, user_id, meeting_id, name, email, is_organizer)
    return Participant(*row)


async def get_by_id(
    db: Executor, *, participant_id: UUID, meeting_id: UUID, user_id: UUID
) -> Participant | None:
    return one(Participant, await db.fetchrow(_GET_BY_ID, participant_id, meeting_id, user_id))


async def list_by_meeting(
    db: Executor, *, meeting_id: UUID, user_id: UUID, limit: int = 500, offset: int = 0
) -> Listing[Participant] | None:
    """In the order they were added; None when the meeting is not the user's."""
    rows = await db.fetch(_LIST_BY_MEETING, meeting_id, user_id, limit, offset)
    return listing(Participant, rows) if rows else None


async def count_by_meeting(db: Executor, *, meeting_id: UUID, user_id: UUID) -> int:
    result: int = await db.fetchval(_COUNT_BY_MEETING, meeting_id, user_id)
    return result


async def update(
    db: Executor,
    *,
    participant_id: UUID,
    meeting_id: UUID,
    user_id: UUID,
    name: str | None = None,
    email: str | None = None,
    is_organizer: bool | None = None,
    cleared: Sequence[str] = (),
) -> Participant | None:
    """None leaves a field as it is; the columns named in `cleared` become NULL."""
    row = await db.fetchrow(
        _UPDATE, participant_id, meeting_id, user_id, name, email, is_organizer, list(cleared)
    )
    return one(Participant, row)


async def delete(db: Executor, *, participant_id: UUID, meeting_id: UUID, user_id: UUID) -> bool:
    return await db.fetchval(_DELETE, participant_id, meeting_id, user_id) is not None
