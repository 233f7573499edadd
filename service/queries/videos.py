from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal
from uuid import UUID

import msgspec

from service.db import TOTAL_CAP, Executor, Listing, listing, one, sql

VideoStatus = Literal["discovered", "queued", "downloading", "processing", "completed", "failed"]


class Video(msgspec.Struct, frozen=True, gc=False):
    id: UUID
    user_id: UUID
    channel_id: UUID | None
    youtube_video_id: str
    title: str | None
    channel_name: str | None
    duration_seconds: int | None
    upload_date: date | None
    description: str | None
    tags: list[str]
    is_favorite: bool
    status: str
    file_size_bytes: int | None
    error_message: str | None
    created_at: datetime
    updated_at: datetime


class VideoFields(msgspec.Struct, frozen=True, kw_only=True):
    """The descriptive fields a caller may give when adding or editing a video."""

    channel_id: UUID | None = None
    title: str | None = None
    channel_name: str | None = None
    duration_seconds: int | None = None
    upload_date: date | None = None
    description: str | None = None
    tags: list[str] | None = None
    is_favorite: bool | None = None


NO_FIELDS = VideoFields()

_CREATE = sql("videos/create")
_ADD = sql("videos/add")
_GET_BY_ID = sql("videos/get_by_id")
_GET_BY_YOUTUBE_ID = sql("videos/get_by_youtube_id")
_LIST = sql("videos/list")
_COUNT = sql("videos/count")
_EXISTS = sql("videos/exists")
_UPDATE = sql("videos/update")
_SET_FAVORITE = sql("videos/set_favorite")
_DELETE = sql("videos/delete")


def _insert_args(user_id: UUID, youtube_video_id: str, f: VideoFields) -> tuple[object, ...]:
    return (
        user_id, f.channel_id, youtube_video_id, f.title, f.channel_name,
        f.duration_seconds, f.upload_date, f.description, f.tags, f.is_favorite,
    )  # fmt: skip


async def create(
    db: Executor, *, user_id: UUID, youtube_video_id: str, fields: VideoFields = NO_FIELDS
) -> Video:
    """A new video; the user having this YouTube id already is a unique violation."""
    return Video(*await db.fetchrow(_CREATE, *_insert_args(user_id, youtube_video_id, fields)))


async def add(
    db: Executor, *, user_id: UUID, youtube_video_id: str, fields: VideoFields = NO_FIELDS
) -> tuple[Video, bool]:
    """Idempotent add by YouTube id: (the video, whether it was created now)."""
    args = _insert_args(user_id, youtube_video_id, fields)
    row = await db.fetchrow(_ADD, *args)
    if row is None:
        # A concurrent add committed between our insert and our read: read again.
        row = await db.fetchrow(_ADD, *args)
    return Video(*row[:-1]), row[-1]


async def get_by_id(db: Executor, *, video_id: UUID, user_id: UUID) -> Video | None:
    return one(Video, await db.fetchrow(_GET_BY_ID, video_id, user_id))


async def get_by_youtube_id(db: Executor, *, user_id: UUID, youtube_video_id: str) -> Video | None:
    return one(Video, await db.fetchrow(_GET_BY_YOUTUBE_ID, user_id, youtube_video_id))


class VideoFilter(msgspec.Struct, frozen=True, kw_only=True):
    status: VideoStatus | None = None
    channel_id: UUID | None = None
    is_favorite: bool | None = None
    tag: str | None = None


NO_FILTER = VideoFilter()


def _filter_args(user_id: UUID, f: VideoFilter) -> tuple[object, ...]:
    return (user_id, f.status, f.channel_id, f.is_favorite, f.tag)


async def list_by_user(
    db: Executor,
    *,
    user_id: UUID,
    filters: VideoFilter = NO_FILTER,
    after: tuple[datetime, UUID] | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[Video]:
    """Newest first; `after` is the (created_at, id) of the previous page's last row."""
    created_at, video_id = after or (None, None)
    rows = await db.fetch(
        _LIST, *_filter_args(user_id, filters), TOTAL_CAP, created_at, video_id, limit, offset
    )
    return listing(Video, rows, cap=TOTAL_CAP)


async def count_by_user(db: Executor, *, user_id: UUID, filters: VideoFilter = NO_FILTER) -> int:
    result: int = await db.fetchval(_COUNT, *_filter_args(user_id, filters))
    return result


async def exists(db: Executor, *, video_id: UUID, user_id: UUID) -> bool:
    result: bool = await db.fetchval(_EXISTS, video_id, user_id)
    return result


async def update(
    db: Executor,
    *,
    video_id: UUID,
    user_id: UUID,
    fields: VideoFields = NO_FIELDS,
    status: VideoStatus | None = None,
    file_size_bytes: int | None = None,
    error_message: str | None = None,
    cleared: Sequence[str] = (),
) -> Video | None:
    """None leaves a field as it is; the columns named in `cleared` become NULL. An
    invalid status transition raises asyncpg.CheckViolationError (constraint
    videos_status_transition)."""
    f = fields
    row = await db.fetchrow(
        _UPDATE, video_id, user_id, f.channel_id, f.title, f.channel_name, f.duration_seconds,
        f.upload_date, f.description, f.tags, f.is_favorite, status, file_size_bytes,
        error_message, list(cleared),
    )  # fmt: skip
    return one(Video, row)


async def set_favorite(
    db: Executor, *, video_id: UUID, user_id: UUID, is_favorite: bool
) -> Video | None:
    return one(Video, await db.fetchrow(_SET_FAVORITE, video_id, user_id, is_favorite))


async def delete(db: Executor, *, video_id: UUID, user_id: UUID) -> bool:
    """Deletes the video and, by cascade, its transcripts and their chunks."""
    return await db.fetchval(_DELETE, video_id, user_id) is not None
