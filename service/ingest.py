"""Ingesting a transcript: the video (created when missing), the transcript (replaced
when the same video, source and language exist) and its chunks, all or nothing."""

from collections.abc import Sequence
from functools import partial
from typing import Any
from uuid import UUID

import msgspec

from service.chunking import NewChunk, chunk_text
from service.cpu import CpuPool
from service.db import Executor
from service.queries import chunks, transcripts, videos
from service.queries.transcripts import Source, Transcript
from service.queries.videos import NO_DETAILS, VideoDetails


class Ingested(msgspec.Struct, frozen=True):
    transcript: Transcript
    transcript_created: bool
    video_created: bool


async def ingest_transcript(
    db: Executor,
    *,
    user_id: UUID,
    youtube_video_id: str,
    source: Source,
    language: str,
    transcript_text: str,
    metadata: dict[str, Any] | None = None,
    video_fields: VideoDetails = NO_DETAILS,
    given_chunks: Sequence[NewChunk] | None = None,
    chunk_tokens: int,
    chunk_overlap_tokens: int,
    cpu: CpuPool,
) -> Ingested:
    """Runs inside the caller's transaction, so a failure anywhere leaves nothing.
    Server-side chunking runs on `cpu`, off the event loop."""
    assert db.is_in_transaction(), "ingest_transcript needs a transaction"
    video, video_created = await videos.add(
        db, user_id=user_id, youtube_video_id=youtube_video_id, fields=video_fields
    )
    stored = await transcripts.upsert(
        db,
        user_id=user_id,
        video_id=video.id,
        source=source,
        language=language,
        transcript_text=transcript_text,
        metadata=metadata,
    )
    assert stored is not None, "videos.add returned the user's own video"
    if not stored.created:
        await chunks.delete_by_transcript(db, transcript_id=stored.id, user_id=user_id)
    if given_chunks is None:
        given_chunks = await cpu.run(
            partial(
                chunk_text,
                transcript_text,
                target_tokens=chunk_tokens,
                overlap_tokens=chunk_overlap_tokens,
            )
        )
    written = await chunks.create_many(
        db, user_id=user_id, transcript_id=stored.id, chunks=given_chunks
    )
    # Everything the answer holds is known here: reading the row back would fetch
    # the (possibly megabytes of) text the caller has just sent.
    transcript = Transcript(
        id=stored.id,
        user_id=user_id,
        video_id=video.id,
        youtube_video_id=youtube_video_id,
        source=source,
        language=language,
        title=stored.title,
        transcript_text=transcript_text,
        metadata=metadata or {},
        chunk_count=written,
        created_at=stored.created_at,
        updated_at=stored.updated_at,
    )
    return Ingested(transcript, stored.created, video_created)


async def rechunk_transcript(
    db: Executor,
    *,
    transcript_id: UUID,
    user_id: UUID,
    chunk_tokens: int,
    chunk_overlap_tokens: int,
    cpu: CpuPool,
) -> int | None:
    """Replaces a transcript's chunks with fresh server-side ones; None if not found."""
    transcript = await transcripts.get_by_id(db, transcript_id=transcript_id, user_id=user_id)
    if transcript is None:
        return None
    await chunks.delete_by_transcript(db, transcript_id=transcript_id, user_id=user_id)
    pieces = await cpu.run(
        partial(
            chunk_text,
            transcript.transcript_text,
            target_tokens=chunk_tokens,
            overlap_tokens=chunk_overlap_tokens,
        )
    )
    return await chunks.create_many(db, user_id=user_id, transcript_id=transcript_id, chunks=pieces)
