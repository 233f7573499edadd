"""Recorded meetings (seed 004's "conversations"). Word count and duration are
generated columns: the database computes them, a client cannot set them."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from service.db import TOTAL_CAP, Executor, Listing, listing, many, one, sql
from service.queries.participants import Participant

MeetingStatus = Literal["pending", "transcribing", "synthesizing", "completed", "failed"]


class Meeting(msgspec.Struct, frozen=True, gc=False):
    id: UUID
    user_id: UUID
    title: str
    description: str | None
    status: str
    scheduled_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    duration_seconds: int | None
    platform: str | None
    platform_meeting_id: str | None
    meeting_url: str | None
    transcript: str | None
    transcript_word_count: int | None
    transcription_provider: str | None
    synthesis_provider: str | None
    processing_time_seconds: int | None
    error_message: str | None
    created_at: datetime
    updated_at: datetime


class MeetingWithParticipants(Meeting, frozen=True, gc=False):
    participants: list[Participant]


class MeetingFields(msgspec.Struct, frozen=True, kw_only=True):
    """What a caller sets on a meeting; None leaves a field as it is."""

    title: str | None = None
    description: str | None = None
    status: MeetingStatus | None = None
    scheduled_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    platform: str | None = None
    platform_meeting_id: str | None = None
    meeting_url: str | None = None
    transcript: str | None = None
    transcription_provider: str | None = None
    synthesis_provider: str | None = None
    processing_time_seconds: int | None = None
    error_message: str | None = None


_CREATE = sql("meetings/create")
_GET_BY_ID = sql("meetings/get_by_id")
_GET_WITH_PARTICIPANTS = sql("meetings/get_with_participants")
_LIST = sql("meetings/list")
_COUNT = sql("meetings/count")
_EXISTS = sql("meetings/exists")
_GET_BY_STATUS = sql("meetings/get_by_status")
_GET_BY_PLATFORM_MEETING_ID = sql("meetings/get_by_platform_meeting_id")
_GET_RECENT = sql("meetings/get_recent")
_SEARCH_BY_TITLE = sql("meetings/search_by_title")
_UPDATE = sql("meetings/update")
_DELETE = sql("meetings/delete")


async def create(db: Executor, *, user_id: UUID, title: str, fields: MeetingFields) -> Meeting:
    f = fields
    row = await db.fetchrow(
        _CREATE, user_id, title, f.description, f.status, f.scheduled_at, f.started_at,
        f.ended_at, f.platform, f.platform_meeting_id, f.meeting_url, f.transcript,
        f.transcription_provider, f.synthesis_provider, f.processing_time_seconds,
        f.error_message,
    )  # fmt: skip
    return Meeting(*row)


async def get_by_id(db: Executor, *, meeting_id: UUID, user_id: UUID) -> Meeting | None:
    return one(Meeting, await db.fetchrow(_GET_BY_ID, meeting_id, user_id))


async def get_with_participants(
    db: Executor, *, meeting_id: UUID, user_id: UUID
) -> MeetingWithParticipants | None:
    """The meeting and its participants, in one query."""
    row = await db.fetchrow(_GET_WITH_PARTICIPANTS, meeting_id, user_id)
    if row is None:
        return None
    values: Any = list(row)
    values[-1] = many(Participant, values[-1])
    return MeetingWithParticipants(*values)


async def get_all(
    db: Executor,
    *,
    user_id: UUID,
    status: MeetingStatus | None = None,
    platform: str | None = None,
    after: tuple[datetime, UUID] | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[Meeting]:
    """Newest first; `after` is the (created_at, id) of the previous page's last row."""
    created_at, meeting_id = after or (None, None)
    rows = await db.fetch(
        _LIST, user_id, status, platform, TOTAL_CAP, created_at, meeting_id, limit, offset
    )
    return listing(Meeting, rows, cap=TOTAL_CAP)


async def count(
    db: Executor, *, user_id: UUID, status: MeetingStatus | None = None, platform: str | None = None
) -> int:
    result: int = await db.fetchval(_COUNT, user_id, status, platform)
    return result


async def exists(db: Executor, *, meeting_id: UUID, user_id: UUID) -> bool:
    result: bool = await db.fetchval(_EXISTS, meeting_id, user_id)
    return result


async def get_by_status(
    db: Executor, *, user_id: UUID, status: MeetingStatus, limit: int = 100, offset: int = 0
) -> list[Meeting]:
    return many(Meeting, await db.fetch(_GET_BY_STATUS, user_id, status, limit, offset))


async def get_by_platform_meeting_id(
    db: Executor, *, user_id: UUID, platform_meeting_id: str, platform: str | None = None
) -> Meeting | None:
    row = await db.fetchrow(_GET_BY_PLATFORM_MEETING_ID, user_id, platform_meeting_id, platform)
    return one(Meeting, row)


async def get_recent(db: Executor, *, user_id: UUID, limit: int = 10) -> list[Meeting]:
    return many(Meeting, await db.fetch(_GET_RECENT, user_id, limit))


async def search_by_title(
    db: Executor, *, user_id: UUID, query: str, limit: int = 50, offset: int = 0
) -> Listing[Meeting]:
    """Full-text, case-insensitive and stemmed, best match first."""
    rows = await db.fetch(_SEARCH_BY_TITLE, user_id, query, TOTAL_CAP, limit, offset)
    return listing(Meeting, rows, cap=TOTAL_CAP)


async def update(
    db: Executor,
    *,
    meeting_id: UUID,
    user_id: UUID,
    fields: MeetingFields,
    cleared: Sequence[str] = (),
) -> Meeting | None:
    """The columns named in `cleared` become NULL. An invalid status change raises
    asyncpg.CheckViolationError (constraint meetings_status_transition)."""
    f = fields
    row = await db.fetchrow(
        _UPDATE, meeting_id, user_id, f.title, f.description, f.status, f.scheduled_at,
        f.started_at, f.ended_at, f.platform, f.platform_meeting_id, f.meeting_url,
        f.transcript, f.transcription_provider, f.synthesis_provider,
        f.processing_time_seconds, f.error_message, list(cleared),
    )  # fmt: skip
    return one(Meeting, row)


async def delete(db: Executor, *, meeting_id: UUID, user_id: UUID) -> bool:
    """Deletes the meeting and, by cascade, its participants and synthesis."""
    return await db.fetchval(_DELETE, meeting_id, user_id) is not None
