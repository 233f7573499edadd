from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal
from uuid import UUID

import msgspec

from service.db import TOTAL_CAP, Executor, Listing
from service.queries.generated import videos as generated
from service.queries.generated.videos import Video as Video

VideoStatus = Literal["discovered", "queued", "downloading", "processing", "completed", "failed"]


class VideoFields(msgspec.Struct, frozen=True, kw_only=True):
    """The descriptive fields a caller may give when adding or editing a video: each
    is a keyword of the generated create, add and update (passed on by name)."""

    channel_id: UUID | None = None
    title: str | None = None
    channel_name: str | None = None
    duration_seconds: int | None = None
    upload_date: date | None = None
    description: str | None = None
    tags: list[str] | None = None
    is_favorite: bool | None = None


NO_FIELDS = VideoFields()


async def create(
    db: Executor, *, user_id: UUID, youtube_video_id: str, fields: VideoFields = NO_FIELDS
) -> Video:
    """A new video; the user having this YouTube id already is a unique violation."""
    return await generated.create(
        db, user_id=user_id, youtube_video_id=youtube_video_id, **msgspec.structs.asdict(fields)
    )


async def add(
    db: Executor, *, user_id: UUID, youtube_video_id: str, fields: VideoFields = NO_FIELDS
) -> tuple[Video, bool]:
    """Idempotent add by YouTube id: (the video, whether it was created now)."""
    for _ in range(2):
        found = await generated.add(
            db, user_id=user_id, youtube_video_id=youtube_video_id, **msgspec.structs.asdict(fields)
        )
        if found is not None:
            return found
        # A concurrent add committed between our insert and our read: read again.
    raise RuntimeError(f"video {youtube_video_id} was neither inserted nor found")


get_by_id = generated.get_by_id
get_by_youtube_id = generated.get_by_youtube_id
exists = generated.exists
set_favorite = generated.set_favorite


class VideoFilter(msgspec.Struct, frozen=True, kw_only=True):
    status: VideoStatus | None = None
    channel_id: UUID | None = None
    is_favorite: bool | None = None
    tag: str | None = None


NO_FILTER = VideoFilter()


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
    f = filters
    total, items = await generated.list_by_user(
        db, user_id=user_id, status=f.status, channel_id=f.channel_id,
        is_favorite=f.is_favorite, tag=f.tag, cap=TOTAL_CAP, after_created_at=created_at,
        after_id=video_id, limit=limit, offset=offset,
    )  # fmt: skip
    return Listing.capped(items, total, TOTAL_CAP)


async def count_by_user(db: Executor, *, user_id: UUID, filters: VideoFilter = NO_FILTER) -> int:
    f = filters
    return await generated.count_by_user(
        db, user_id=user_id, status=f.status, channel_id=f.channel_id,
        is_favorite=f.is_favorite, tag=f.tag,
    )  # fmt: skip


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
    return await generated.update(
        db, video_id=video_id, user_id=user_id, **msgspec.structs.asdict(fields), status=status,
        file_size_bytes=file_size_bytes, error_message=error_message, cleared=list(cleared),
    )  # fmt: skip


# Deletes the video and, by cascade, its transcripts and their chunks.
delete = generated.delete
