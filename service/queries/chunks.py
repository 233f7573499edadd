from collections.abc import Sequence
from typing import Any
from uuid import UUID

from service.chunking import NewChunk
from service.db import Executor, Listing
from service.queries.generated import chunks as generated
from service.queries.generated.chunks import Chunk as Chunk
from service.queries.generated.chunks import SearchHit as SearchHit

# The columns binary COPY writes; the database fills in id, created_at and the
# search vector (computed once, on the way in).
_COPY_COLUMNS = ("user_id", "transcript_id", "chunk_index", "chunk_text", "token_count", "metadata")


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


delete_by_transcript = generated.delete_by_transcript
count_by_transcript = generated.count_by_transcript


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
    page = await generated.list_by_transcript(
        db, transcript_id=transcript_id, user_id=user_id, after_chunk_index=after, limit=limit,
        offset=offset,
    )  # fmt: skip
    return None if page is None else Listing(page[1], page[0])


async def list_by_ids(db: Executor, *, chunk_ids: Sequence[UUID], user_id: UUID) -> list[Chunk]:
    """The user's chunks among the ids, in transcript order; others are left out."""
    return await generated.list_by_ids(db, chunk_ids=list(chunk_ids), user_id=user_id)


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
    total, hits, capped = await generated.search(
        db, user_id=user_id, query=query, metadata=metadata, candidates=candidates,
        after_rank=after_rank, after_id=after_id, limit=limit, offset=offset,
    )  # fmt: skip
    return Listing(hits, total, exact=not capped)


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
    total, hits, capped = await generated.search_scoped(
        db, user_id=user_id, query=query, video_id=video_id, channel_id=channel_id,
        metadata=metadata, candidates=candidates, after_rank=after_rank, after_id=after_id,
        limit=limit, offset=offset,
    )  # fmt: skip
    return Listing(hits, total, exact=not capped)
