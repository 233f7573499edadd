"""Lexical, semantic and hybrid retrieval over the caller's chunks (POST /search), a
chunk's neighbours, and the embedding models clients may use."""

from collections.abc import Sequence
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Response, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter

from service.api.deps import MAX_PAGE, ONE_STATEMENT, CurrentUser, Db, ReadDb
from service.api.pages import EXACT_HEADER, NEXT_HEADER, TOTAL_HEADER, Cursor
from service.embeddings import EmbeddingError, model_named, pack_vectors
from service.fields import NON_BLANK_PATTERN
from service.queries import embeddings
from service.queries.embeddings import EmbeddingModel
from service.queries.generated import retrieval
from service.queries.generated.retrieval import RetrievalHit

Mode = Literal["lexical", "semantic", "hybrid"]
HITS = Cursor[tuple[float, UUID]]("retrieval", tuple[float, UUID])


class SearchIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    # Left out: lexical for q alone, semantic for an embedding alone, hybrid for both.
    mode: Mode | None = None
    q: (
        Annotated[str, msgspec.Meta(min_length=1, max_length=1000, pattern=NON_BLANK_PATTERN)]
        | None
    ) = None
    embedding: list[float] | None = None
    model: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None
    limit: Annotated[int, msgspec.Meta(ge=1, le=MAX_PAGE)] = 10
    after: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    video_id: UUID | None = None
    channel_id: UUID | None = None
    metadata: dict[str, Any] | None = None


class SimilarChunk(msgspec.Struct, frozen=True, kw_only=True):
    chunk_id: UUID
    transcript_id: UUID
    video_id: UUID
    youtube_video_id: str
    video_title: str | None
    channel_id: UUID | None
    chunk_index: int
    chunk_text: str
    distance: float


def _mode(data: SearchIn) -> Mode:
    if data.mode is not None:
        return data.mode
    if data.embedding is None:
        return "lexical"
    return "semantic" if data.q is None else "hybrid"


def _require(data: SearchIn, mode: Mode) -> None:
    if mode in ("semantic", "hybrid") and (data.embedding is None or data.model is None):
        raise ValidationException(
            f"mode {mode} needs `embedding` (the question's vector) and `model` "
            "(the embedding model that made it; GET /embedding-models lists them)"
        )
    if mode == "lexical" and data.embedding is not None:
        raise ValidationException("mode lexical takes no `embedding`: use semantic or hybrid")
    if mode in ("lexical", "hybrid") and data.q is None:
        raise ValidationException(f"mode {mode} needs `q`, the words to search for")


async def _checked_model(db: Db, name: str, vector: list[float]) -> EmbeddingModel:
    # On the loop: a vector of another size fails at once, and one of the model's
    # (at most 2,000 floats) packs in microseconds.
    try:
        model = await model_named(db, name)
        pack_vectors([vector], model.dims, "embedding")
    except EmbeddingError as exc:
        raise ValidationException(str(exc).replace("embedding[0]", "embedding")) from None
    return model


# Reads only (the model, then the search): no BEGIN and COMMIT around them.
@post(
    "/search",
    tags=["search"],
    summary="Lexical, semantic or hybrid (reciprocal rank fusion) search over the caller's chunks",
    status_code=200,
    opt=ONE_STATEMENT,
)
async def search_by_meaning(
    data: JSONBody[SearchIn], read_db: ReadDb, user: CurrentUser, state: State
) -> Response[Sequence[RetrievalHit]]:
    """`mode` lexical ranks full-text matches of `q`; semantic ranks the chunks nearest to
    `embedding` under `model`; hybrid fuses both rankings by reciprocal rank fusion (without
    `mode`: lexical for `q` alone, semantic for `embedding` alone, hybrid for both):
    `score` = 1/(k + `lexical_rank`) + 1/(k + `semantic_rank`), a missing rank adding 0, with k =
    TUBEBASE_RRF_K (60). The lexical ranking ranks the first TUBEBASE_RETRIEVAL_CANDIDATES (2,000)
    matches. Each ranking takes its best TUBEBASE_RETRIEVAL_WINDOW (100) chunks, so a
    search returns at most twice that many hits in all; `X-Total-Count` is how many. Every hit says
    its `lexical_rank` and `text_rank` (ts_rank_cd), `semantic_rank` and `semantic_distance` (the
    model's distance: cosine distance, negative inner product or L2), and its fused `score`.
    Filters: `video_id`, `channel_id`, `metadata` (the chunk metadata contains it). Pages by
    `limit` and `after`, the cursor in the `X-Next-After` header of the previous page."""
    mode = _mode(data)
    _require(data, mode)
    settings = state.settings
    model = None
    if data.embedding is not None and data.model is not None:
        model = await _checked_model(read_db, data.model, data.embedding)
    after_score, after_id = HITS.decode(data.after) if data.after is not None else (None, None)
    total, rows = await retrieval.search(
        read_db,
        user_id=user.id,
        model_id=None if model is None else model.id,
        embedding=data.embedding if mode != "lexical" else None,
        query=data.q if mode != "semantic" else None,
        window=settings.retrieval_window,
        ef_search=settings.hnsw_ef_search,
        candidates=settings.retrieval_candidates,
        rrf_k=settings.rrf_k,
        video_id=data.video_id,
        channel_id=data.channel_id,
        metadata=data.metadata,
        after_score=after_score,
        after_id=after_id,
        limit=data.limit + 1,
        offset=0,
        exact_below=settings.exact_search_below,
    )
    headers = {TOTAL_HEADER: str(total), EXACT_HEADER: "true"}
    if len(rows) > data.limit:
        rows = rows[: data.limit]
        headers[NEXT_HEADER] = HITS.encode((rows[-1].score, rows[-1].chunk_id))
    return Response(rows, headers=headers)


@get(
    "/chunks/{chunk_id:uuid}/similar",
    tags=["search"],
    summary="The caller's chunks nearest to this one under an embedding model",
)
async def similar_chunks(
    chunk_id: FromPath[UUID],
    db: Db,
    user: CurrentUser,
    state: State,
    model: Annotated[str, QueryParameter(min_length=1, max_length=200)],
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 10,
) -> list[SimilarChunk]:
    """Nearest first, the chunk itself left out, only among the caller's chunks. 404 when the chunk
    is not the caller's or has no vector of `model`."""
    try:
        found = await model_named(db, model)
    except EmbeddingError as exc:
        raise ValidationException(str(exc)) from None
    rows = await retrieval.similar(
        db,
        chunk_id=chunk_id,
        user_id=user.id,
        model_id=found.id,
        limit=limit,
        ef_search=state.settings.hnsw_ef_search,
        exact_below=state.settings.exact_search_below,
    )
    if not rows:
        raise NotFoundException(f"chunk {chunk_id} not found")
    if not rows[0].has_vector:
        raise NotFoundException(
            f"chunk {chunk_id} has no vector of model {model!r}: "
            "PUT /transcripts/{id}/embeddings gives its transcript's chunks theirs"
        )
    neighbours = []
    for row in rows:
        if row.chunk_id is not None:
            fields = msgspec.structs.asdict(row)
            del fields["has_vector"]
            neighbours.append(SimilarChunk(**fields))
    return neighbours


@get("/embedding-models", tags=["search"], summary="The embedding models vectors may use")
async def list_embedding_models(db: Db, user: CurrentUser) -> list[EmbeddingModel]:
    """Registered by an administrator with `tubebase embeddings add-model`: each has its `dims` and
    `distance` (cosine, inner_product or l2)."""
    return await embeddings.list_models(db)
