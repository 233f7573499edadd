"""Helpers for the library tests (channels, videos, transcripts, chunks, processing):
plain async functions over the rolled-back `db` connection, not fixtures, so test
modules import them like any function."""

import secrets
import uuid
from collections.abc import Sequence
from typing import Any

import asyncpg

from service.chunking import NewChunk, estimate_tokens
from service.queries import channels, chunks, processing_jobs, transcripts, users, videos
from service.queries.channels import Channel
from service.queries.chunks import Chunk
from service.queries.processing_jobs import Job, NewJob
from service.queries.transcripts import Source
from service.queries.videos import Video, VideoDetails


def new_youtube_video_id() -> str:
    """11 characters of the YouTube alphabet [A-Za-z0-9_-]."""
    value = secrets.token_urlsafe(8)
    assert len(value) == 11
    return value


def new_youtube_channel_id() -> str:
    """24 characters: 'UC' and 22 of the YouTube alphabet."""
    value = "UC" + secrets.token_urlsafe(16)[:22]
    assert len(value) == 24
    return value


async def add_channel(
    db: asyncpg.Connection,
    user: users.User,
    *,
    name: str = "A channel",
    youtube_channel_id: str | None = None,
    **kwargs: Any,
) -> Channel:
    return await channels.create(
        db,
        user_id=user.id,
        youtube_channel_id=new_youtube_channel_id()
        if youtube_channel_id is None
        else youtube_channel_id,
        name=name,
        **kwargs,
    )


async def add_video(
    db: asyncpg.Connection,
    user: users.User,
    *,
    youtube_video_id: str | None = None,
    **fields: Any,
) -> Video:
    return await videos.create(
        db,
        user_id=user.id,
        youtube_video_id=new_youtube_video_id() if youtube_video_id is None else youtube_video_id,
        fields=VideoDetails(**fields),
    )


async def add_transcript(
    db: asyncpg.Connection,
    user: users.User,
    video: Video,
    text: str = "a transcript",
    *,
    source: Source = "youtube_manual",
    language: str = "en",
    metadata: dict[str, Any] | None = None,
) -> uuid.UUID:
    stored = await transcripts.upsert(
        db,
        user_id=user.id,
        video_id=video.id,
        source=source,
        language=language,
        transcript_text=text,
        metadata=metadata,
    )
    assert stored is not None
    assert stored.created
    return stored.id


def new_chunks(
    texts: Sequence[str], metadata: Sequence[dict[str, Any]] | None = None
) -> list[NewChunk]:
    return [
        NewChunk(i, text, estimate_tokens(text), metadata[i] if metadata else {})
        for i, text in enumerate(texts)
    ]


async def add_chunks(
    db: asyncpg.Connection,
    user: users.User,
    transcript_id: uuid.UUID,
    texts: Sequence[str],
    metadata: Sequence[dict[str, Any]] | None = None,
) -> list[Chunk]:
    """Inserts the texts as chunks 0..n-1; returns them in chunk_index order."""
    inserted = await chunks.create_many(
        db, user_id=user.id, transcript_id=transcript_id, chunks=new_chunks(texts, metadata)
    )
    assert inserted == len(texts)
    listed = await chunks.list_by_transcript(
        db, transcript_id=transcript_id, user_id=user.id, limit=len(texts) + 1, offset=0
    )
    assert listed is not None
    return listed.items


async def add_job(
    db: asyncpg.Connection, user: users.User, job_type: str = "transcribe", **kwargs: Any
) -> Job:
    job, created = await processing_jobs.enqueue(
        db, user_id=user.id, job=NewJob(job_type=job_type, **kwargs)
    )
    assert created
    return job


async def insert_aged(db: asyncpg.Connection, table: str, **columns: Any) -> uuid.UUID:
    """Inserts a row whose created_at and updated_at are a day before now(). An UPDATE
    cannot age updated_at: the set_updated_at trigger puts now() back."""
    names = ", ".join(columns)
    params = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    row_id: uuid.UUID = await db.fetchval(
        f"INSERT INTO {table} ({names}, created_at, updated_at) "
        f"VALUES ({params}, now() - interval '1 day', now() - interval '1 day') RETURNING id",
        *columns.values(),
    )
    return row_id
