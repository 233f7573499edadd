from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from service.chunking import NewChunk
from service.db import Executor, many, sql


class Chunk(msgspec.Struct, frozen=True, gc=False):
    id: UUID
    user_id: UUID
    transcript_id: UUID
    chunk_index: int
    chunk_text: str
    token_count: int
    metadata: dict[str, Any]
    created_at: datetime


class SearchHit(msgspec.Struct, frozen=True, gc=False):
    chunk_id: UUID
    transcript_id: UUID
    video_id: UUID
    youtube_video_id: str
    video_title: str | None
    channel_id: UUID | None
    chunk_index: int
    chunk_text: str
    snippet: str
    rank: float


class SearchFilter(msgspec.Struct, frozen=True, kw_only=True):
    video_id: UUID | None = None
    channel_id: UUID | None = None
    metadata: dict[str, Any] | None = None


NO_FILTER = SearchFilter()

_CREATE_MANY = sql("chunks/create_many")
_DELETE_BY_TRANSCRIPT = sql("chunks/delete_by_transcript")
_LIST_BY_TRANSCRIPT = sql("chunks/list_by_transcript")
_COUNT_BY_TRANSCRIPT = sql("chunks/count_by_transcript")
_GET_BY_IDS = sql("chunks/get_by_ids")
_SEARCH = sql("chunks/search")
_SEARCH_COUNT = sql("chunks/search_count")


async def create_many(
    db: Executor, *, user_id: UUID, transcript_id: UUID, chunks: Sequence[NewChunk]
) -> int:
    """Inserts all chunks in one round trip (columns as arrays, unnest in SQL);
    returns how many. The transcript must be the user's."""
    inserted: int = await db.fetchval(
        _CREATE_MANY,
        user_id,
        transcript_id,
        [c.chunk_index for c in chunks],
        [c.chunk_text for c in chunks],
        [c.token_count for c in chunks],
        [c.metadata for c in chunks],
    )
    return inserted


async def delete_by_transcript(db: Executor, *, transcript_id: UUID, user_id: UUID) -> int:
    deleted: int = await db.fetchval(_DELETE_BY_TRANSCRIPT, transcript_id, user_id)
    return deleted


async def list_by_transcript(
    db: Executor, *, transcript_id: UUID, user_id: UUID, limit: int, offset: int
) -> list[Chunk]:
    rows = await db.fetch(_LIST_BY_TRANSCRIPT, transcript_id, user_id, limit, offset)
    return many(Chunk, rows)


async def count_by_transcript(db: Executor, *, transcript_id: UUID, user_id: UUID) -> int:
    result: int = await db.fetchval(_COUNT_BY_TRANSCRIPT, transcript_id, user_id)
    return result


async def get_by_ids(db: Executor, *, chunk_ids: Sequence[UUID], user_id: UUID) -> list[Chunk]:
    """The user's chunks among the ids, in transcript order; others are left out."""
    return many(Chunk, await db.fetch(_GET_BY_IDS, list(chunk_ids), user_id))


def _search_args(user_id: UUID, query: str, f: SearchFilter) -> tuple[object, ...]:
    return (user_id, query, f.video_id, f.channel_id, f.metadata)


async def search(
    db: Executor,
    *,
    user_id: UUID,
    query: str,
    filters: SearchFilter = NO_FILTER,
    limit: int,
    offset: int,
) -> list[SearchHit]:
    """Ranked full-text hits with highlighted snippets (<mark>…</mark>)."""
    rows = await db.fetch(_SEARCH, *_search_args(user_id, query, filters), limit, offset)
    return many(SearchHit, rows)


async def search_count(
    db: Executor, *, user_id: UUID, query: str, filters: SearchFilter = NO_FILTER
) -> int:
    result: int = await db.fetchval(_SEARCH_COUNT, *_search_args(user_id, query, filters))
    return result
