"""`tubebase import FILE.jsonl`: channels, videos and transcripts, one JSON object a
line, for one user. Each line commits on its own, so a bad line is reported (with
its number and the reason) and nothing valid is lost. Re-importing a file updates
what it imported before instead of duplicating it.

    {"type": "channel", "youtube_channel_id": "UC…", "name": "…", "description": "…",
     "status": "active", "metadata": {}, "processing_config": {}}
    {"type": "video", "youtube_video_id": "dQw4w9WgXcQ", "channel": "UC…", "title": "…",
     "channel_name": "…", "duration_seconds": 212, "upload_date": "2009-10-25",
     "description": "…", "tags": ["…"], "is_favorite": false}
    {"type": "transcript", "youtube_video_id": "dQw4w9WgXcQ", "transcript_text": "…",
     "source": "youtube_auto", "language": "en", "metadata": {},
     "chunks": [{"chunk_index": 0, "chunk_text": "…"}]}

Only `type`, the YouTube id and `name` / `transcript_text` are required. A video's
`channel` names a channel by YouTube id that must exist already (earlier in the
file, or imported before)."""

import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, Literal
from uuid import UUID

import asyncpg
import msgspec
from tqdm import tqdm

from service import strict_json
from service.chunking import ChunkingError, GivenChunk, from_given
from service.cpu import CpuPool
from service.fields import (
    ChannelName,
    Language,
    LongText,
    NonNegativeInt,
    Tags,
    TranscriptText,
    VideoChannelName,
    YoutubeChannelId,
    YoutubeVideoId,
    check_finite_times,
)
from service.ingest import ingest_transcript
from service.queries import channels, videos
from service.queries.transcripts import Source
from service.queries.videos import VideoDetails
from service.settings import Settings


class ChannelLine(msgspec.Struct, tag="channel", tag_field="type", forbid_unknown_fields=True):
    youtube_channel_id: YoutubeChannelId
    name: ChannelName
    description: LongText | None = None
    status: Literal["active", "paused", "inactive"] | None = None
    metadata: dict[str, Any] | None = None
    processing_config: dict[str, Any] | None = None


class VideoLine(msgspec.Struct, tag="video", tag_field="type", forbid_unknown_fields=True):
    youtube_video_id: YoutubeVideoId
    channel: YoutubeChannelId | None = None
    title: LongText | None = None
    channel_name: VideoChannelName | None = None
    duration_seconds: NonNegativeInt | None = None
    upload_date: date | None = None
    description: LongText | None = None
    tags: Tags | None = None
    is_favorite: bool | None = None

    def __post_init__(self) -> None:
        check_finite_times(self)


class TranscriptLine(
    msgspec.Struct, tag="transcript", tag_field="type", forbid_unknown_fields=True
):
    youtube_video_id: YoutubeVideoId
    transcript_text: TranscriptText
    source: Source = "youtube_auto"
    language: Language = "en"
    metadata: dict[str, Any] = {}
    chunks: list[GivenChunk] | None = None
    title: LongText | None = None
    channel_name: VideoChannelName | None = None


Line = ChannelLine | VideoLine | TranscriptLine
_DECODER = msgspec.json.Decoder(Line)


def _decode(raw: bytes) -> Line:
    """A line by the HTTP bodies' rules (service/strict_json.py)."""
    line: Line = strict_json.decode(raw, _DECODER)
    return line


class Rejected(msgspec.Struct, frozen=True):
    line_number: int
    reason: str
    raw: bytes


class ImportReport(msgspec.Struct):
    imported: Counter[str] = msgspec.field(default_factory=Counter)
    rejected: list[Rejected] = msgspec.field(default_factory=list)


class LineError(Exception):
    pass


async def _import_channel(db: asyncpg.Connection, user_id: UUID, line: ChannelLine) -> None:
    existing = await channels.get_by_youtube_id(
        db, user_id=user_id, youtube_channel_id=line.youtube_channel_id
    )
    if existing is None:
        await channels.create(
            db,
            user_id=user_id,
            youtube_channel_id=line.youtube_channel_id,
            name=line.name,
            description=line.description,
            status=line.status or "active",
            metadata=line.metadata,
            processing_config=line.processing_config,
        )
    else:
        await channels.update(
            db,
            channel_id=existing.id,
            user_id=user_id,
            name=line.name,
            description=line.description,
            status=line.status,
            metadata=line.metadata,
            processing_config=line.processing_config,
        )


async def _import_video(db: asyncpg.Connection, user_id: UUID, line: VideoLine) -> None:
    channel_id = None
    if line.channel is not None:
        channel = await channels.get_by_youtube_id(
            db, user_id=user_id, youtube_channel_id=line.channel
        )
        if channel is None:
            raise LineError(f"channel {line.channel} not found: import it first")
        channel_id = channel.id
    fields = VideoDetails(
        channel_id=channel_id,
        title=line.title,
        channel_name=line.channel_name,
        duration_seconds=line.duration_seconds,
        upload_date=line.upload_date,
        description=line.description,
        tags=line.tags,
        is_favorite=line.is_favorite,
    )
    video, created = await videos.add(
        db, user_id=user_id, youtube_video_id=line.youtube_video_id, fields=fields
    )
    if not created:
        await videos.update(db, video_id=video.id, user_id=user_id, fields=fields)


async def _import_transcript(
    db: asyncpg.Connection, user_id: UUID, line: TranscriptLine, settings: Settings, cpu: CpuPool
) -> int:
    """The transcript and its chunks; returns how many chunks were written."""
    given = None
    if line.chunks is not None:
        try:
            given = from_given(line.chunks)
        except ValueError as exc:
            raise LineError(str(exc)) from None
    try:
        ingested = await ingest_transcript(
            db,
            user_id=user_id,
            youtube_video_id=line.youtube_video_id,
            source=line.source,
            language=line.language,
            transcript_text=line.transcript_text,
            metadata=line.metadata,
            video_fields=VideoDetails(title=line.title, channel_name=line.channel_name),
            given_chunks=given,
            chunk_tokens=settings.chunk_tokens,
            chunk_overlap_tokens=settings.chunk_overlap_tokens,
            cpu=cpu,
        )
    except ChunkingError as exc:
        raise LineError(str(exc)) from None
    return ingested.transcript.chunk_count


def _numbered_lines(source: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """Raw lines: msgspec checks each one's UTF-8 itself, so one bad line is one
    rejection. A UTF-8 byte-order mark on the first line is dropped."""
    for number, raw in enumerate(source, start=1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if raw.strip():
            yield number, raw


async def import_file(
    db: asyncpg.Connection,
    *,
    path: Path,
    user_id: UUID,
    settings: Settings,
    progress: bool = True,
) -> ImportReport:
    report = ImportReport()
    cpu = CpuPool(workers=1, queue=1)  # one line at a time: chunking off the loop anyway
    with path.open("rb") as source:
        total = sum(1 for _ in source)
        source.seek(0)
        bar = tqdm(total=total, unit="line", desc=f"importing {path.name}", disable=not progress)
        started = time.monotonic()
        rows = 0  # rows written: a channel, a video, or a transcript and its chunks
        with bar:
            for number, raw in _numbered_lines(source):
                bar.update(1)
                try:
                    line = _decode(raw)
                    async with db.transaction():
                        if isinstance(line, ChannelLine):
                            await _import_channel(db, user_id, line)
                            rows += 1
                        elif isinstance(line, VideoLine):
                            await _import_video(db, user_id, line)
                            rows += 1
                        else:
                            rows += 1 + await _import_transcript(db, user_id, line, settings, cpu)
                    report.imported[type(line).__name__.removesuffix("Line").lower()] += 1
                    elapsed = time.monotonic() - started
                    bar.set_postfix_str(f"{rows / elapsed:,.0f} rows/s", refresh=False)
                except (msgspec.DecodeError, UnicodeDecodeError, LineError) as exc:
                    report.rejected.append(Rejected(number, str(exc), raw.rstrip(b"\r\n")))
                except RecursionError:  # msgspec gives up about a thousand levels deep
                    reason = "JSON is nested too deeply"
                    report.rejected.append(Rejected(number, reason, raw.rstrip(b"\r\n")))
                except asyncpg.PostgresError as exc:
                    reason = getattr(exc, "message", None) or str(exc)
                    report.rejected.append(Rejected(number, reason, raw.rstrip(b"\r\n")))
            bar.update(total - bar.n)
    return report
