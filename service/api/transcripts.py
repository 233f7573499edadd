"""Transcripts: ingested by YouTube id (the video is created when missing), chunked on
the server unless the caller sends chunks, replaced whole on re-ingest."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post, put
from litestar.datastructures import State
from litestar.exceptions import NotFoundException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import UNSET, UnsetType

from service.api.created import created
from service.api.deps import READ_PAGE, CurrentUser, Db, Paging, ReadDb
from service.api.pages import Cursor
from service.api.patching import split
from service.chunking import (
    MAX_CHUNKS,
    ChunkingError,
    GivenChunk,
    NewChunk,
    default_overlap,
    from_given,
    overlap_problem,
)
from service.embeddings import (
    FLOATS_ON_THE_LOOP,
    EmbeddingError,
    TranscriptNotFound,
    model_named,
    pack_vector,
    pack_vectors,
    replace_transcript_vectors,
    store_ingested_vectors,
)
from service.fields import NON_BLANK, Language, TranscriptText, YoutubeVideoId
from service.ingest import ingest_transcript
from service.queries import chunks, transcripts
from service.queries.chunks import Chunk
from service.queries.embeddings import EmbeddingModel
from service.queries.generated import embedding_models as embedding_model_columns
from service.queries.generated import transcripts as transcript_columns
from service.queries.transcripts import Source, Transcript, TranscriptSummary
from service.queries.videos import VideoDetails

TRANSCRIPTS = Cursor[tuple[datetime, UUID]]("transcripts", tuple[datetime, UUID])
CHUNKS = Cursor[int]("chunks", int)

TranscriptTitle = Annotated[transcript_columns.Title, NON_BLANK]
ModelName = Annotated[embedding_model_columns.Name, msgspec.Meta(min_length=1)]


class ChunkIn(GivenChunk, kw_only=True):
    embedding: list[float] | None = None


GivenChunks = Annotated[list[ChunkIn], msgspec.Meta(min_length=1, max_length=MAX_CHUNKS)]


class TranscriptIn(VideoDetails, frozen=True, kw_only=True):
    """The transcript, plus optional details for the video when it is created."""

    youtube_video_id: YoutubeVideoId
    transcript_text: TranscriptText
    source: Source = "youtube_auto"
    language: Language = "en"
    metadata: dict[str, Any] = {}
    chunks: GivenChunks | None = None
    embedding_model: ModelName | None = None
    chunk_tokens: Annotated[int, msgspec.Meta(ge=10, le=100_000)] | None = None
    chunk_overlap_tokens: Annotated[int, msgspec.Meta(ge=0, le=99_999)] | None = None


class TranscriptPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Null clears the title; source and language must stay unique for the video
    (409 otherwise). The text is replaced by ingesting again."""

    source: Source | UnsetType = UNSET
    language: Language | UnsetType = UNSET
    title: TranscriptTitle | UnsetType | None = UNSET
    metadata: dict[str, Any] | UnsetType = UNSET


class EmbeddingsIn(msgspec.Struct, forbid_unknown_fields=True):
    """One vector per chunk of the transcript, in chunk order."""

    model: ModelName
    vectors: list[list[float]]


class EmbeddingsStored(msgspec.Struct, frozen=True):
    transcript_id: UUID
    model: str
    vectors: int


def _pack_chunk_vectors(items: list[ChunkIn], dims: int) -> dict[int, bytes]:
    """The chunks' vectors by chunk_index, packed; EmbeddingError names a bad one."""
    packed = {}
    for position, item in enumerate(items):
        if item.embedding is not None:
            try:
                packed[item.chunk_index] = pack_vector(item.embedding, dims)
            except EmbeddingError as exc:
                raise EmbeddingError(f"chunks[{position}].embedding {exc}") from None
    return packed


async def _ingest_vectors(
    db: Db, data: "TranscriptIn", state: State
) -> tuple[EmbeddingModel, dict[int, bytes]] | None:
    """The model of the chunks' vectors and the vectors by chunk_index, all checked."""
    with_vectors = [c for c in data.chunks or () if c.embedding is not None]
    if data.embedding_model is None:
        if with_vectors:
            raise ValidationException(
                "chunks[].embedding needs embedding_model, the model that made the vectors"
            )
        return None
    if not with_vectors:
        raise ValidationException(
            "embedding_model is set but no chunk has an embedding: send chunks with `embedding`"
        )
    try:
        model = await model_named(db, data.embedding_model)
    except EmbeddingError as exc:
        raise ValidationException(f"embedding_model: {exc}") from None
    chunks_in = data.chunks or []
    floats = sum(len(c.embedding or ()) for c in with_vectors)
    try:
        packed = await state.cpu.run_if(
            floats > FLOATS_ON_THE_LOOP, _pack_chunk_vectors, chunks_in, model.dims
        )
    except EmbeddingError as exc:
        raise ValidationException(str(exc)) from None
    return model, packed


def _given_chunks(items: list[ChunkIn] | None) -> list[NewChunk] | None:
    if items is None:
        return None
    try:
        return from_given(items)
    except ValueError as exc:
        raise ValidationException(str(exc)) from None


def _not_found(transcript_id: UUID) -> NotFoundException:
    return NotFoundException(f"transcript {transcript_id} not found")


class TranscriptController(Controller):
    path = "/transcripts"
    tags = ["transcripts"]

    @post(
        "/",
        summary="Ingest a transcript: 201 new, 200 when it replaced the same "
        "video/source/language (chunks replaced too)",
        responses={
            200: ResponseSpec(
                Transcript, description="Replaced the transcript of this video, source and language"
            )
        },
    )
    async def ingest(
        self, data: JSONBody[TranscriptIn], db: Db, user: CurrentUser, state: State
    ) -> Response[Transcript]:
        """Stores the text under the caller's video with this `youtube_video_id`. A missing video is
        created from the body's video fields (`title` is the video's, not the transcript's); an
        existing one is left as it is. The same video, source and language again replaces the text,
        metadata and every chunk (200). Chunks are cut on the server by `chunk_tokens` and
        `chunk_overlap_tokens` (below half of it) unless `chunks` are sent; all of it is stored, or
        none."""
        settings = state.settings
        target = data.chunk_tokens or settings.chunk_tokens
        overlap = (
            default_overlap(settings.chunk_overlap_tokens, target)
            if data.chunk_overlap_tokens is None
            else data.chunk_overlap_tokens
        )
        if (problem := overlap_problem(overlap, target)) is not None:
            raise ValidationException(problem)
        vectors = await _ingest_vectors(db, data, state)
        try:
            result = await ingest_transcript(
                db,
                user_id=user.id,
                youtube_video_id=data.youtube_video_id,
                source=data.source,
                language=data.language,
                transcript_text=data.transcript_text,
                metadata=data.metadata,
                video_fields=data,
                given_chunks=_given_chunks(data.chunks),
                chunk_tokens=target,
                chunk_overlap_tokens=overlap,
                cpu=state.cpu,
            )
        except ChunkingError as exc:
            raise ValidationException(str(exc)) from None
        transcript = result.transcript
        if vectors is not None and data.chunks is not None:
            model, by_chunk_index = vectors
            await store_ingested_vectors(
                db,
                transcript_id=transcript.id,
                user_id=user.id,
                model=model,
                by_chunk_index=by_chunk_index,
                chunk_indexes=[c.chunk_index for c in data.chunks],
            )
        return created(transcript, f"/transcripts/{transcript.id}", new=result.transcript_created)

    @get("/", summary="The caller's transcripts without their text, newest first")
    async def list_all(
        self,
        db: Db,
        user: CurrentUser,
        page: Paging,
        video_id: Annotated[UUID | None, QueryParameter()] = None,
        youtube_video_id: Annotated[str | None, QueryParameter(max_length=11)] = None,
    ) -> Response[Sequence[TranscriptSummary]]:
        """The caller's transcripts without their text (`char_count` is its length), newest first;
        `video_id` or `youtube_video_id` narrows to one video. Pages by `limit` and `offset`, or
        `after` (the cursor in `Link: rel="next"`); `X-Total-Count` is exact up to 10,000 (see
        `X-Total-Count-Exact`)."""
        found = await transcripts.list_by_user(
            db,
            user_id=user.id,
            video_id=video_id,
            youtube_video_id=youtube_video_id,
            after=page.after(TRANSCRIPTS),
            limit=page.fetch,
            offset=page.offset,
        )
        return page.respond(found, TRANSCRIPTS, lambda t: (t.created_at, t.id))

    @get("/{transcript_id:uuid}", summary="A transcript with its text")
    async def get_one(self, transcript_id: FromPath[UUID], db: Db, user: CurrentUser) -> Transcript:
        """A transcript of the caller's with its whole text and `chunk_count`. Another user's id is
        404, like a missing one."""
        found = await transcripts.get_by_id(db, transcript_id=transcript_id, user_id=user.id)
        if found is None:
            raise _not_found(transcript_id)
        return found

    @patch(
        "/{transcript_id:uuid}",
        summary="Edit a transcript's title, metadata, source or language "
        "(409 if the video has that source and language already)",
    )
    async def update_one(
        self,
        transcript_id: FromPath[UUID],
        data: JSONBody[TranscriptPatch],
        db: Db,
        user: CurrentUser,
    ) -> Transcript:
        """A key left out stays; `title: null` clears it, and `null` for another field is 400. The
        text and chunks stay as they are (ingest again to replace them)."""
        values, cleared = split(data)
        updated = await transcripts.update(
            db, transcript_id=transcript_id, user_id=user.id, cleared=cleared, **values
        )
        if updated is None:
            raise _not_found(transcript_id)
        return updated

    @get(
        "/{transcript_id:uuid}/chunks",
        summary="A transcript's chunks in order",
        dependencies=READ_PAGE,
    )
    async def list_chunks(
        self, transcript_id: FromPath[UUID], read_db: ReadDb, user: CurrentUser, page: Paging
    ) -> Response[Sequence[Chunk]]:
        """The transcript's chunks by `chunk_index`; `X-Total-Count` is its exact `chunk_count`.
        Pages by `limit` and `offset`, or `after` (the cursor in `Link: rel="next"`)."""
        found = await chunks.list_by_transcript(
            read_db,
            transcript_id=transcript_id,
            user_id=user.id,
            after=page.after(CHUNKS),
            limit=page.fetch,
            offset=page.offset,
        )
        if found is None:
            raise _not_found(transcript_id)
        return page.respond(found, CHUNKS, lambda c: c.chunk_index)

    @put(
        "/{transcript_id:uuid}/embeddings",
        summary="Set the vectors of a transcript's chunks under one embedding model",
    )
    async def put_embeddings(
        self,
        transcript_id: FromPath[UUID],
        data: JSONBody[EmbeddingsIn],
        db: Db,
        user: CurrentUser,
        state: State,
    ) -> EmbeddingsStored:
        """`vectors` holds one vector per chunk, in chunk order (GET /transcripts/{id}/chunks), each
        of the model's dimensions with finite values; they replace the chunks' vectors of this
        model, all or none (written with one binary COPY). Re-ingesting the transcript drops its
        vectors with its chunks."""
        try:
            model = await model_named(db, data.model)
            heavy = sum(map(len, data.vectors)) > FLOATS_ON_THE_LOOP
            packed = await state.cpu.run_if(
                heavy, pack_vectors, data.vectors, model.dims, "vectors"
            )
            written = await replace_transcript_vectors(
                db, transcript_id=transcript_id, user_id=user.id, model=model, vectors=packed
            )
        except EmbeddingError as exc:
            raise ValidationException(str(exc)) from None
        except TranscriptNotFound:
            raise _not_found(transcript_id) from None
        return EmbeddingsStored(transcript_id, model.name, written)

    @delete("/{transcript_id:uuid}", summary="Delete a transcript and its chunks")
    async def remove(self, transcript_id: FromPath[UUID], db: Db, user: CurrentUser) -> None:
        """Deletes the transcript and its chunks; the video stays."""
        if not await transcripts.delete(db, transcript_id=transcript_id, user_id=user.id):
            raise _not_found(transcript_id)
