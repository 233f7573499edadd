from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from service.db import TOTAL_CAP, Executor, Listing
from service.fields import LongText, NonNegativeInt, Tags, VideoChannelName, check_finite_times
from service.queries.generated import videos as generated
from service.queries.generated.videos import Video as Video

VideoStatus = Literal["discovered", "queued", "downloading", "processing", "completed", "failed"]


# The one place a video's descriptive columns and their input limits are named: the
# bodies that add or edit a video extend it, the importer fills it, and each field is
# a keyword of the generated update (passed on by name), the one statement that
# writes these columns. Left out or None, a column is not written; a PATCH names the
# columns it clears apart. (The docstring is the OpenAPI description.)
class VideoDetails(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """What describes a video; a channel_id without a channel_name takes the
    channel's name."""

    channel_id: UUID | UnsetType | None = UNSET
    title: LongText | UnsetType | None = UNSET
    channel_name: VideoChannelName | UnsetType | None = UNSET
    duration_seconds: NonNegativeInt | UnsetType | None = UNSET
    upload_date: date | UnsetType | None = UNSET
    description: LongText | UnsetType | None = UNSET
    tags: Tags | UnsetType | None = UNSET
    is_favorite: bool | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_finite_times(self)


NO_DETAILS = VideoDetails()


def _written(details: VideoDetails) -> dict[str, Any]:
    """The details' columns by name, None for those left out."""
    return {
        name: None if (value := getattr(details, name)) is UNSET else value
        for name in VideoDetails.__struct_fields__
    }


async def _describe(db: Executor, video: Video, details: VideoDetails) -> Video:
    """A video inserted by its identity alone, with its details written."""
    written = _written(details)
    if all(value is None for value in written.values()):
        return video
    if not db.is_in_transaction():
        raise RuntimeError("adding a video with details needs a transaction")
    described = await generated.update(
        db, video_id=video.id, user_id=video.user_id, **written, status=None,
        file_size_bytes=None, error_message=None, cleared=[],
    )  # fmt: skip
    assert described is not None, "update missed the video inserted just before"
    return described


async def create(
    db: Executor, *, user_id: UUID, youtube_video_id: str, fields: VideoDetails = NO_DETAILS
) -> Video:
    """A new video; the user having this YouTube id already is a unique violation."""
    video = await generated.create(db, user_id=user_id, youtube_video_id=youtube_video_id)
    return await _describe(db, video, fields)


async def add(
    db: Executor, *, user_id: UUID, youtube_video_id: str, fields: VideoDetails = NO_DETAILS
) -> tuple[Video, bool]:
    """Idempotent add by YouTube id: (the video, whether it was created now); the
    details are written only to a video created now."""
    for _ in range(2):
        found = await generated.add(db, user_id=user_id, youtube_video_id=youtube_video_id)
        if found is not None:
            video, created = found
            return (await _describe(db, video, fields) if created else video), created
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
    fields: VideoDetails = NO_DETAILS,
    status: VideoStatus | None = None,
    file_size_bytes: int | None = None,
    error_message: str | None = None,
    cleared: Sequence[str] = (),
) -> Video | None:
    """None leaves a field as it is; the columns named in `cleared` become NULL. An
    invalid status transition raises asyncpg.CheckViolationError (constraint
    videos_status_transition)."""
    return await generated.update(
        db, video_id=video_id, user_id=user_id, **_written(fields), status=status,
        file_size_bytes=file_size_bytes, error_message=error_message, cleared=list(cleared),
    )  # fmt: skip


# Deletes the video and, by cascade, its transcripts and their chunks.
delete = generated.delete
