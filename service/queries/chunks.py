from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from service.chunking import NewChunk
from service.db import Executor, Listing, listing, many, sql


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


# The columns binary COPY writes; the database fills in id, created_at and the
# search vector (computed once, on the way in).
_COPY_COLUMNS = ("user_id", "transcript_id", "chunk_index", "chunk_text", "token_count", "metadata")

_DELETE_BY_TRANSCRIPT = sql("chunks/delete_by_transcript")
_LIST_BY_TRANSCRIPT = sql("chunks/list_by_transcript")
_COUNT_BY_TRANSCRIPT = sql("chunks/count_by_transcript")
_GET_BY_IDS = sql("chunks/get_by_ids")
_SEARCH = sql("chunks/search")
_SEARCH_SCOPED = sql("chunks/search_scoped")


async def create_many(
    db: Executor, *, user_id: UUID, transcript_id: UUID, chunks: Sequence[NewChunk]
) -> int:
    """Writes all chunks with one binary COPY; returns how many. The transcript must
    be the user's (its foreign key refuses anything else)."""
    await db.copy_records_to_table(
        "chunks",
        records=[
            (user_id, transcript_id, c.chunk_index, c.chunk_text, c.token_count, c.metadata)
            for c in chunks
        ],
        columns=_COPY_COLUMNS,
    )
    return len(chunks)


async def delete_by_transcript(db: Executor, *, transcript_id: UUID, user_id: UUID) -> int:
    deleted: int = await db.fetchval(_DELETE_BY_TRANSCRIPT, transcript_id, user_id)
    return deleted


async def list_by_transcript(
    db: Executor,
    *,
    transcript_id: UUID,
    user_id: UUID,
    after: int | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[Chunk] | None:
    """In order, with the transcript's chunk count; `after` is the chunk_index of the
    previous page's last chunk. None when the transcript is not the user's."""
    rows = await db.fetch(_LIST_BY_TRANSCRIPT, transcript_id, user_id, after, limit, offset)
    return listing(Chunk, rows) if rows else None


async def count_by_transcript(db: Executor, *, transcript_id: UUID, user_id: UUID) -> int:
    result: int = await db.fetchval(_COUNT_BY_TRANSCRIPT, transcript_id, user_id)
    return result


async def get_by_ids(db: Executor, *, chunk_ids: Sequence[UUID], user_id: UUID) -> list[Chunk]:
    """The user's chunks among the ids, in transcript order; others are left out."""
    return many(Chunk, await db.fetch(_GET_BY_IDS, list(chunk_ids), user_id))


def _hits(rows: Sequence[Any]) -> Listing[SearchHit]:
    capped, total = rows[0][0], rows[0][1]
    hits = [SearchHit(*row[2:]) for row in rows if row[2] is not None]
    return Listing(hits, total, exact=not capped)


async def search(
    db: Executor,
    *,
    user_id: UUID,
    query: str,
    metadata: dict[str, Any] | None = None,
    candidates: int,
    after: tuple[float, UUID] | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[SearchHit]:
    """Ranked full-text hits over all the user's chunks, with highlighted snippets
    (<mark>…</mark>, the text HTML-escaped). A rare term's first `candidates`
    matches are ranked; a common term is tested on `candidates` chunks of the most
    recent transcripts (see sql/chunks/search.sql). When a bound cut, the total is a
    lower bound. `after` is the (rank, chunk_id) of the previous page's last hit."""
    after_rank, after_id = after or (None, None)
    rows = await db.fetch(
        _SEARCH, user_id, query, metadata, candidates, after_rank, after_id, limit, offset
    )
    return _hits(rows)


async def search_scoped(
    db: Executor,
    *,
    user_id: UUID,
    query: str,
    video_id: UUID | None = None,
    channel_id: UUID | None = None,
    metadata: dict[str, Any] | None = None,
    candidates: int,
    after: tuple[float, UUID] | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[SearchHit]:
    """`search` within one video or one channel (or both)."""
    after_rank, after_id = after or (None, None)
    rows = await db.fetch(
        _SEARCH_SCOPED, user_id, query, video_id, channel_id, metadata, candidates,
        after_rank, after_id, limit, offset,
    )  # fmt: skip
    return _hits(rows)
