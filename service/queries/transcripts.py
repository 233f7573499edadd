"""Transcripts. `TranscriptSummary` is one without its text, for lists; `Stored` is
what an upsert tells: the transcript's id, whether it is new, its title and times."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from service.db import TOTAL_CAP, Executor, Listing
from service.queries.generated import transcripts as generated
from service.queries.generated.transcripts import Stored as Stored
from service.queries.generated.transcripts import Transcript as Transcript
from service.queries.generated.transcripts import TranscriptSummary as TranscriptSummary

Source = Literal["youtube_auto", "youtube_manual", "upload"]

get_by_id = generated.get_by_id
count_by_user = generated.count_by_user
exists = generated.exists


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
    return await generated.upsert(
        db, user_id=user_id, video_id=video_id, source=source, language=language,
        transcript_text=transcript_text, metadata=metadata or {},
    )  # fmt: skip


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
    total, items = await generated.list_by_user(
        db, user_id=user_id, video_id=video_id, youtube_video_id=youtube_video_id,
        cap=TOTAL_CAP, after_created_at=created_at, after_id=transcript_id, limit=limit,
        offset=offset,
    )  # fmt: skip
    return Listing.capped(items, total, TOTAL_CAP)


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
    return await generated.update(
        db, transcript_id=transcript_id, user_id=user_id, source=source, language=language,
        title=title, metadata=metadata, cleared=list(cleared),
    )  # fmt: skip


# Deletes the transcript and, by cascade, its chunks.
delete = generated.delete
