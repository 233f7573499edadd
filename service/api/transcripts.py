"""Transcripts: ingested by YouTube id (the video is created when missing), chunked on
the server unless the caller sends chunks, replaced whole on re-ingest."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service.api.deps import CurrentUser, Db, Paging
from service.api.pages import Cursor
from service.api.videos import VideoDetails
from service.chunking import (
    MAX_CHUNKS,
    ChunkingError,
    GivenChunk,
    NewChunk,
    default_overlap,
    from_given,
    overlap_problem,
)
from service.fields import Language, TranscriptText, YoutubeVideoId
from service.ingest import ingest_transcript
from service.queries import chunks, transcripts
from service.queries.chunks import Chunk
from service.queries.transcripts import Source, Transcript, TranscriptSummary

TRANSCRIPTS = Cursor[tuple[datetime, UUID]]("transcripts", tuple[datetime, UUID])
CHUNKS = Cursor[int]("chunks", int)



class TranscriptIn(VideoDetails, kw_only=True):
    """The transcript, plus optional details for the video when it is created."""

    youtube_video_id: YoutubeVideoId
    transcript_text: TranscriptText
    source: Source = "youtube_auto"
    language: Language = "en"
    metadata: dict[str, Any] = {}
    chunks: list[GivenChunk] | None = None
    chunk_tokens: Annotated[int, msgspec.Meta(ge=10, le=100_000)] | None = None
    chunk_overlap_tokens: Annotated[int, msgspec.Meta(ge=0, le=99_999)] | None = None


def _given_chunks(items: list[GivenChunk] | None) -> list[NewChunk] | None:
    if items is None:
        return None
    if not 1 <= len(items) <= MAX_CHUNKS:
        raise ValidationException(f"chunks: send between 1 and {MAX_CHUNKS}, got {len(items)}")
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
    )
    async def ingest(
        self, data: JSONBody[TranscriptIn], db: Db, user: CurrentUser, state: State
    ) -> Response[Transcript]:
        settings = state.settings
        target = data.chunk_tokens or settings.chunk_tokens
        overlap = (
            default_overlap(settings.chunk_overlap_tokens, target)
            if data.chunk_overlap_tokens is None
            else data.chunk_overlap_tokens
        )
        if (problem := overlap_problem(overlap, target)) is not None:
            raise ValidationException(problem)
        try:
            result = await ingest_transcript(
                db,
                user_id=user.id,
                youtube_video_id=data.youtube_video_id,
                source=data.source,
                language=data.language,
                transcript_text=data.transcript_text,
                metadata=data.metadata,
                video_fields=data.fields(),
                given_chunks=_given_chunks(data.chunks),
                chunk_tokens=target,
                chunk_overlap_tokens=overlap,
                cpu=state.cpu,
            )
        except ChunkingError as exc:
            raise ValidationException(str(exc)) from None
        status = HTTP_201_CREATED if result.transcript_created else HTTP_200_OK
        return Response(result.transcript, status_code=status)

    @get("/", summary="The caller's transcripts without their text, newest first")
    async def list_all(
        self,
        db: Db,
        user: CurrentUser,
        page: Paging,
        video_id: Annotated[UUID | None, QueryParameter()] = None,
        youtube_video_id: Annotated[str | None, QueryParameter(max_length=11)] = None,
    ) -> Response[Sequence[TranscriptSummary]]:
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

    @get("/{transcript_id:uuid}")
    async def get_one(self, transcript_id: FromPath[UUID], db: Db, user: CurrentUser) -> Transcript:
        found = await transcripts.get_by_id(db, transcript_id=transcript_id, user_id=user.id)
        if found is None:
            raise _not_found(transcript_id)
        return found

    @get("/{transcript_id:uuid}/chunks", summary="A transcript's chunks in order")
    async def list_chunks(
        self, transcript_id: FromPath[UUID], db: Db, user: CurrentUser, page: Paging
    ) -> Response[Sequence[Chunk]]:
        found = await chunks.list_by_transcript(
            db,
            transcript_id=transcript_id,
            user_id=user.id,
            after=page.after(CHUNKS),
            limit=page.fetch,
            offset=page.offset,
        )
        if found is None:
            raise _not_found(transcript_id)
        return page.respond(found, CHUNKS, lambda c: c.chunk_index)

    @delete("/{transcript_id:uuid}", summary="Delete a transcript and its chunks")
    async def remove(self, transcript_id: FromPath[UUID], db: Db, user: CurrentUser) -> None:
        if not await transcripts.delete(db, transcript_id=transcript_id, user_id=user.id):
            raise _not_found(transcript_id)
