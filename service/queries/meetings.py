"""Recorded meetings (seed 004's "conversations"). Word count and duration are
generated columns: the database computes them, a client cannot set them."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from service.db import TOTAL_CAP, Executor, Listing, many, sql
from service.queries.generated import meetings as generated
from service.queries.generated.meetings import Meeting as Meeting
from service.queries.participants import Participant

MeetingStatus = Literal["pending", "transcribing", "synthesizing", "completed", "failed"]


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


# Hand-bound: its participants column is an array of rows, decoded into Participants.
_GET_WITH_PARTICIPANTS = sql("meetings/get_with_participants")

get_by_id = generated.get_by_id
exists = generated.exists


async def create(db: Executor, *, user_id: UUID, title: str, fields: MeetingFields) -> Meeting:
    f = fields
    return await generated.create(
        db, user_id=user_id, title=title, description=f.description, status=f.status,
        scheduled_at=f.scheduled_at, started_at=f.started_at, ended_at=f.ended_at,
        platform=f.platform, platform_meeting_id=f.platform_meeting_id,
        meeting_url=f.meeting_url, transcript=f.transcript,
        transcription_provider=f.transcription_provider,
        synthesis_provider=f.synthesis_provider,
        processing_time_seconds=f.processing_time_seconds, error_message=f.error_message,
    )  # fmt: skip


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


async def list_by_user(
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
    total, items = await generated.list_by_user(
        db, user_id=user_id, status=status, platform=platform, cap=TOTAL_CAP,
        after_created_at=created_at, after_id=meeting_id, limit=limit, offset=offset,
    )  # fmt: skip
    return Listing.capped(items, total, TOTAL_CAP)


async def count_by_user(
    db: Executor, *, user_id: UUID, status: MeetingStatus | None = None, platform: str | None = None
) -> int:
    return await generated.count_by_user(db, user_id=user_id, status=status, platform=platform)


async def list_by_status(
    db: Executor, *, user_id: UUID, status: MeetingStatus, limit: int = 100, offset: int = 0
) -> list[Meeting]:
    return await generated.list_by_status(
        db, user_id=user_id, status=status, limit=limit, offset=offset
    )


async def get_by_platform_meeting_id(
    db: Executor, *, user_id: UUID, platform_meeting_id: str, platform: str | None = None
) -> Meeting | None:
    return await generated.get_by_platform_meeting_id(
        db, user_id=user_id, platform_meeting_id=platform_meeting_id, platform=platform
    )


async def list_recent(db: Executor, *, user_id: UUID, limit: int = 10) -> list[Meeting]:
    return await generated.list_recent(db, user_id=user_id, limit=limit)


async def search_by_title(
    db: Executor, *, user_id: UUID, query: str, limit: int = 50, offset: int = 0
) -> Listing[Meeting]:
    """Full-text, case-insensitive and stemmed, best match first."""
    total, items = await generated.search_by_title(
        db, user_id=user_id, query=query, cap=TOTAL_CAP, limit=limit, offset=offset
    )
    return Listing.capped(items, total, TOTAL_CAP)


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
    return await generated.update(
        db, meeting_id=meeting_id, user_id=user_id, title=f.title, description=f.description,
        status=f.status, scheduled_at=f.scheduled_at, started_at=f.started_at,
        ended_at=f.ended_at, platform=f.platform, platform_meeting_id=f.platform_meeting_id,
        meeting_url=f.meeting_url, transcript=f.transcript,
        transcription_provider=f.transcription_provider,
        synthesis_provider=f.synthesis_provider,
        processing_time_seconds=f.processing_time_seconds, error_message=f.error_message,
        cleared=list(cleared),
    )  # fmt: skip


# Deletes the meeting and, by cascade, its participants and synthesis.
delete = generated.delete
