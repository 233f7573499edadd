from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from service.db import TOTAL_CAP, Executor, Listing, listing, one, sql

Source = Literal["youtube_auto", "youtube_manual", "upload"]


class Transcript(msgspec.Struct, frozen=True, gc=False):
    id: UUID
    user_id: UUID
    video_id: UUID
    youtube_video_id: str
    source: str
    language: str
    title: str | None
    transcript_text: str
    metadata: dict[str, Any]
    chunk_count: int
    created_at: datetime
    updated_at: datetime


class TranscriptSummary(msgspec.Struct, frozen=True, gc=False):
    """A transcript without its text, for lists."""

    id: UUID
    user_id: UUID
    video_id: UUID
    youtube_video_id: str
    source: str
    language: str
    title: str | None
    metadata: dict[str, Any]
    char_count: int
    chunk_count: int
    created_at: datetime
    updated_at: datetime


class Stored(msgspec.Struct, frozen=True):
    """What an upsert tells: the transcript's id, whether it is new, its times."""

    id: UUID
    created: bool
    title: str | None
    created_at: datetime
    updated_at: datetime


_UPSERT = sql("transcripts/upsert")
_GET_BY_ID = sql("transcripts/get_by_id")
_LIST_BY_USER = sql("transcripts/list_by_user")
_COUNT_BY_USER = sql("transcripts/count_by_user")
_EXISTS = sql("transcripts/exists")
_UPDATE = sql("transcripts/update")
_DELETE = sql("transcripts/delete")


async def upsert(
    db: Executor,
    *,
    user_id: UUID,
    video_id: UUID,
    source: Source,
    language: str,
    transcript_text: str,
    metadata: dict[str, Any] | None = None,
) -> Stored | None:
    """An existing (video, source, language) has its text and metadata replaced.
    None when the video is not the user's."""
    row = await db.fetchrow(
        _UPSERT, user_id, video_id, source, language, transcript_text, metadata or {}
    )
    return one(Stored, row)


async def get_by_id(db: Executor, *, transcript_id: UUID, user_id: UUID) -> Transcript | None:
    return one(Transcript, await db.fetchrow(_GET_BY_ID, transcript_id, user_id))


async def list_by_user(
    db: Executor,
    *,
    user_id: UUID,
    video_id: UUID | None = None,
    youtube_video_id: str | None = None,
    after: tuple[datetime, UUID] | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[TranscriptSummary]:
    """Newest first; `after` is the (created_at, id) of the previous page's last row."""
    created_at, transcript_id = after or (None, None)
    rows = await db.fetch(
        _LIST_BY_USER, user_id, video_id, youtube_video_id, TOTAL_CAP, created_at,
        transcript_id, limit, offset,
    )  # fmt: skip
    return listing(TranscriptSummary, rows, cap=TOTAL_CAP)


async def count_by_user(
    db: Executor,
    *,
    user_id: UUID,
    video_id: UUID | None = None,
    youtube_video_id: str | None = None,
) -> int:
    result: int = await db.fetchval(_COUNT_BY_USER, user_id, video_id, youtube_video_id)
    return result


async def exists(db: Executor, *, transcript_id: UUID, user_id: UUID) -> bool:
    result: bool = await db.fetchval(_EXISTS, transcript_id, user_id)
    return result


async def update(
    db: Executor,
    *,
    transcript_id: UUID,
    user_id: UUID,
    source: Source | None = None,
    language: str | None = None,
    title: str | None = None,
    metadata: dict[str, Any] | None = None,
    cleared: Sequence[str] = (),
) -> Transcript | None:
    """None leaves a field as it is; the columns named in `cleared` become NULL. A
    (source, language) the video has already raises asyncpg.UniqueViolationError."""
    row = await db.fetchrow(
        _UPDATE, transcript_id, user_id, source, language, title, metadata, list(cleared)
    )
    return one(Transcript, row)


async def delete(db: Executor, *, transcript_id: UUID, user_id: UUID) -> bool:
    """Deletes the transcript and, by cascade, its chunks."""
    return await db.fetchval(_DELETE, transcript_id, user_id) is not None
