"""service/ingest.py: video, transcript and chunks in the caller's transaction."""

import uuid
from datetime import date

import asyncpg
import pytest

from service.chunking import NewChunk, chunk_text
from service.cpu import CpuPool
from service.ingest import Ingested, ingest_transcript, rechunk_transcript
from service.queries import chunks, transcripts, users, videos
from service.queries.transcripts import Source
from service.queries.videos import VideoDetails
from tests.sql.library_fixtures import add_video, new_youtube_video_id

CPU = CpuPool(workers=1, queue=8)

TEXT = " ".join(f"sentence {i} talks about topic{i % 7} at some length." for i in range(120))
TOKENS = 60
OVERLAP = 10


async def ingest(
    db: asyncpg.Connection,
    user: users.User,
    youtube_video_id: str,
    text: str = TEXT,
    *,
    source: Source = "youtube_auto",
    language: str = "en",
    **kwargs: object,
) -> Ingested:
    return await ingest_transcript(
        db,
        user_id=user.id,
        youtube_video_id=youtube_video_id,
        source=source,
        language=language,
        transcript_text=text,
        chunk_tokens=TOKENS,
        chunk_overlap_tokens=OVERLAP,
        cpu=CPU,
        **kwargs,  # type: ignore[arg-type]
    )


async def all_chunks(
    db: asyncpg.Connection, user: users.User, transcript_id: uuid.UUID
) -> list[chunks.Chunk]:
    listed = await chunks.list_by_transcript(
        db, transcript_id=transcript_id, user_id=user.id, limit=10_000, offset=0
    )
    assert listed is not None
    # the listing's total is the transcript's stored chunk_count
    assert listed.total == len(listed.items)
    return listed.items


async def test_ingest_creates_the_missing_video(db: asyncpg.Connection, alice: users.User) -> None:
    youtube_id = new_youtube_video_id()
    fields = VideoDetails(title="Talk", channel_name="Conf", upload_date=date(2024, 5, 1))

    result = await ingest(db, alice, youtube_id, video_fields=fields, metadata={"asr": "yt"})

    assert result.video_created is True
    assert result.transcript_created is True
    video = await videos.get_by_youtube_id(db, user_id=alice.id, youtube_video_id=youtube_id)
    assert video is not None
    assert (video.title, video.channel_name, video.upload_date) == (
        "Talk",
        "Conf",
        date(2024, 5, 1),
    )
    transcript = result.transcript
    assert transcript.video_id == video.id
    assert transcript.youtube_video_id == youtube_id
    assert transcript.user_id == alice.id
    assert (transcript.source, transcript.language) == ("youtube_auto", "en")
    assert transcript.transcript_text == TEXT
    assert transcript.metadata == {"asr": "yt"}
    # what ingest answers is the stored row, field for field
    assert transcript == await transcripts.get_by_id(
        db, transcript_id=transcript.id, user_id=alice.id
    )


async def test_ingest_chunks_the_text_server_side(
    db: asyncpg.Connection, alice: users.User
) -> None:
    result = await ingest(db, alice, new_youtube_video_id())

    expected = chunk_text(TEXT, target_tokens=TOKENS, overlap_tokens=OVERLAP)
    stored = await all_chunks(db, alice, result.transcript.id)
    assert len(expected) > 3
    assert result.transcript.chunk_count == len(expected)
    assert [(c.chunk_index, c.chunk_text, c.token_count) for c in stored] == [
        (c.chunk_index, c.chunk_text, c.token_count) for c in expected
    ]


async def test_ingest_uses_an_existing_video(db: asyncpg.Connection, alice: users.User) -> None:
    video = await add_video(db, alice, title="Already here")

    result = await ingest(
        db, alice, video.youtube_video_id, video_fields=VideoDetails(title="ignored")
    )

    assert result.video_created is False
    assert result.transcript.video_id == video.id
    stored = await videos.get_by_id(db, video_id=video.id, user_id=alice.id)
    assert stored is not None
    assert stored.title == "Already here"
    assert await videos.count_by_user(db, user_id=alice.id) == 1


async def test_ingest_does_not_touch_another_users_video(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    alices = await add_video(db, alice)

    result = await ingest(db, bob, alices.youtube_video_id)

    assert result.video_created is True
    assert result.transcript.user_id == bob.id
    assert result.transcript.video_id != alices.id
    assert await transcripts.count_by_user(db, user_id=alice.id) == 0


async def test_reingest_replaces_transcript_and_chunks(
    db: asyncpg.Connection, alice: users.User
) -> None:
    youtube_id = new_youtube_video_id()
    first = await ingest(db, alice, youtube_id, TEXT)
    old_ids = {c.id for c in await all_chunks(db, alice, first.transcript.id)}
    new_text = "A much shorter replacement transcript. " * 10

    second = await ingest(db, alice, youtube_id, new_text, metadata={"v": 2})

    assert second.transcript_created is False
    assert second.video_created is False
    assert second.transcript.id == first.transcript.id
    assert second.transcript.transcript_text == new_text
    assert second.transcript.metadata == {"v": 2}
    stored = await all_chunks(db, alice, second.transcript.id)
    expected = chunk_text(new_text, target_tokens=TOKENS, overlap_tokens=OVERLAP)
    assert [c.chunk_text for c in stored] == [c.chunk_text for c in expected]
    assert second.transcript.chunk_count == len(expected) == len(stored)
    assert second.transcript == await transcripts.get_by_id(
        db, transcript_id=second.transcript.id, user_id=alice.id
    )
    assert old_ids.isdisjoint(c.id for c in stored)
    assert await chunks.list_by_ids(db, chunk_ids=list(old_ids), user_id=alice.id) == []
    assert await transcripts.count_by_user(db, user_id=alice.id) == 1


async def test_another_language_is_another_transcript(
    db: asyncpg.Connection, alice: users.User
) -> None:
    youtube_id = new_youtube_video_id()
    english = await ingest(db, alice, youtube_id, "hello world " * 20, language="en")

    german = await ingest(db, alice, youtube_id, "hallo welt " * 20, language="de")

    assert german.transcript_created is True
    assert german.video_created is False
    assert german.transcript.id != english.transcript.id
    assert german.transcript.video_id == english.transcript.video_id
    english_after = await transcripts.get_by_id(
        db, transcript_id=english.transcript.id, user_id=alice.id
    )
    assert english_after is not None
    assert english_after.chunk_count == english.transcript.chunk_count > 0


async def test_given_chunks_are_used_verbatim(db: asyncpg.Connection, alice: users.User) -> None:
    given = [
        NewChunk(0, "Intro:  hello\nthere", 99, {"start": 0.0, "end": 4.2}),
        NewChunk(1, "Body with   odd spacing", 7, {"start": 4.2, "end": 9.9}),
        NewChunk(5, "a gap in the indexes is kept", 0, {}),
    ]

    result = await ingest(db, alice, new_youtube_video_id(), given_chunks=given)

    stored = await all_chunks(db, alice, result.transcript.id)
    assert [(c.chunk_index, c.chunk_text, c.token_count, c.metadata) for c in stored] == [
        (g.chunk_index, g.chunk_text, g.token_count, g.metadata) for g in given
    ]
    assert result.transcript.chunk_count == 3
    assert result.transcript.transcript_text == TEXT


async def test_given_empty_chunks_store_none(db: asyncpg.Connection, alice: users.User) -> None:
    result = await ingest(db, alice, new_youtube_video_id(), given_chunks=[])

    assert result.transcript.chunk_count == 0


async def test_failure_midway_leaves_nothing_behind(
    db: asyncpg.Connection, alice: users.User
) -> None:
    youtube_id = new_youtube_video_id()
    duplicate_index = [NewChunk(0, "first", 1), NewChunk(0, "again", 1)]

    with pytest.raises(asyncpg.UniqueViolationError):
        async with db.transaction():
            await ingest(db, alice, youtube_id, given_chunks=duplicate_index)

    assert await videos.get_by_youtube_id(db, user_id=alice.id, youtube_video_id=youtube_id) is None
    assert await transcripts.count_by_user(db, user_id=alice.id) == 0
    assert await db.fetchval("SELECT count(*) FROM chunks WHERE user_id = $1", alice.id) == 0


async def test_failed_reingest_keeps_the_previous_version(
    db: asyncpg.Connection, alice: users.User
) -> None:
    youtube_id = new_youtube_video_id()
    first = await ingest(db, alice, youtube_id, TEXT)
    before = await all_chunks(db, alice, first.transcript.id)

    with pytest.raises(asyncpg.CheckViolationError):
        async with db.transaction():
            await ingest(db, alice, youtube_id, "new text", given_chunks=[NewChunk(0, "  ", 1)])

    after = await transcripts.get_by_id(db, transcript_id=first.transcript.id, user_id=alice.id)
    assert after is not None
    assert after.transcript_text == TEXT
    assert await all_chunks(db, alice, first.transcript.id) == before


async def test_bad_youtube_id_raises_before_anything_is_written(
    db: asyncpg.Connection, alice: users.User
) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        async with db.transaction():
            await ingest(db, alice, "not-an-id!!")

    assert await videos.count_by_user(db, user_id=alice.id) == 0


async def test_ingest_requires_a_transaction() -> None:
    """A connection outside any transaction is refused before any query runs."""

    class OutsideTransaction:
        def is_in_transaction(self) -> bool:
            return False

    with pytest.raises(AssertionError, match="transaction"):
        await ingest_transcript(
            OutsideTransaction(),
            user_id=uuid.uuid4(),
            youtube_video_id=new_youtube_video_id(),
            source="upload",
            language="en",
            transcript_text="x",
            chunk_tokens=TOKENS,
            chunk_overlap_tokens=OVERLAP,
            cpu=CPU,
        )


async def test_rechunk_replaces_chunks_with_fresh_ones(
    db: asyncpg.Connection, alice: users.User
) -> None:
    given = [NewChunk(0, "one hand-made chunk", 4)]
    result = await ingest(db, alice, new_youtube_video_id(), given_chunks=given)
    old_ids = {c.id for c in await all_chunks(db, alice, result.transcript.id)}

    count = await rechunk_transcript(
        db,
        transcript_id=result.transcript.id,
        user_id=alice.id,
        chunk_tokens=30,
        chunk_overlap_tokens=5,
        cpu=CPU,
    )

    expected = chunk_text(TEXT, target_tokens=30, overlap_tokens=5)
    stored = await all_chunks(db, alice, result.transcript.id)
    assert count == len(expected) == len(stored)
    assert [c.chunk_text for c in stored] == [c.chunk_text for c in expected]
    assert old_ids.isdisjoint(c.id for c in stored)


async def test_rechunk_of_another_user_or_unknown_is_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    result = await ingest(db, alice, new_youtube_video_id())

    assert (
        await rechunk_transcript(
            db,
            transcript_id=result.transcript.id,
            user_id=bob.id,
            chunk_tokens=30,
            chunk_overlap_tokens=5,
            cpu=CPU,
        )
        is None
    )
    assert (
        await rechunk_transcript(
            db,
            transcript_id=uuid.uuid4(),
            user_id=alice.id,
            chunk_tokens=30,
            chunk_overlap_tokens=5,
            cpu=CPU,
        )
        is None
    )
    unchanged = await transcripts.get_by_id(
        db, transcript_id=result.transcript.id, user_id=alice.id
    )
    assert unchanged is not None
    assert unchanged.chunk_count == result.transcript.chunk_count
