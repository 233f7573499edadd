"""Full-text search over the caller's chunks."""

from collections.abc import Sequence
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Response, get
from litestar.datastructures import State
from litestar.exceptions import ValidationException
from litestar.params import QueryParameter

from service.api.deps import READ_PAGE, CurrentUser, Paging, ReadDb
from service.api.pages import Cursor
from service.fields import NON_BLANK_PATTERN
from service.queries import chunks
from service.queries.chunks import SearchHit

HITS = Cursor[tuple[float, UUID]]("search", tuple[float, UUID])


def _metadata_filter(raw: str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        value = msgspec.json.decode(raw)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise ValidationException(f"metadata must be a JSON object: {exc}") from None
    if not isinstance(value, dict):
        raise ValidationException('metadata must be a JSON object, e.g. {"speaker": "Ada"}')
    return value


@get(
    "/search",
    tags=["search"],
    summary='Ranked full-text hits with <mark> snippets; q takes "phrases", or, -words',
    dependencies=READ_PAGE,
    opt={"json_query": {"metadata": {"type": "object"}}},
)
async def search(
    read_db: ReadDb,
    user: CurrentUser,
    page: Paging,
    state: State,
    q: Annotated[str, QueryParameter(min_length=1, max_length=1000, pattern=NON_BLANK_PATTERN)],
    video_id: Annotated[UUID | None, QueryParameter()] = None,
    channel_id: Annotated[UUID | None, QueryParameter()] = None,
    metadata: Annotated[
        str | None,
        QueryParameter(
            max_length=10_000,
            description="JSON object the chunk metadata contains (at most 10,000 characters)",
        ),
    ] = None,
) -> Response[Sequence[SearchHit]]:
    """Only the caller's chunks, optionally within one video (`video_id`) and/or channel
    (`channel_id`), and only those whose metadata contains `metadata`. Ranking is bounded: at most
    10,000 chunks are examined by default (for a term in a fifth of all chunks or more, those of the
    most recent transcripts), so when the bound cuts some matches are missed and
    `X-Total-Count-Exact` is false. Snippets are the HTML-escaped text with `<mark>` around matches.
    Pages by `limit` and `offset`, or `after` (the cursor in `Link: rel="next"`)."""
    wanted = _metadata_filter(metadata)
    candidates: int = state.settings.search_candidates
    after = page.after(HITS)
    if video_id is None and channel_id is None:
        found = await chunks.search(
            read_db,
            user_id=user.id,
            query=q,
            metadata=wanted,
            candidates=candidates,
            after=after,
            limit=page.fetch,
            offset=page.offset,
        )
    else:
        found = await chunks.search_scoped(
            read_db,
            user_id=user.id,
            query=q,
            video_id=video_id,
            channel_id=channel_id,
            metadata=wanted,
            candidates=candidates,
            after=after,
            limit=page.fetch,
            offset=page.offset,
        )
    return page.respond(found, HITS, lambda hit: (hit.rank, hit.chunk_id))
