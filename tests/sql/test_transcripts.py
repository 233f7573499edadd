import uuid
from datetime import timedelta

import asyncpg
import pytest

from service.db import Listing
from service.queries import chunks, transcripts, users, videos
from service.queries.transcripts import Transcript, TranscriptSummary
from tests.sql.conftest import db_now
from tests.sql.library_fixtures import add_chunks, add_transcript, add_video, insert_aged


async def test_upsert_creates_then_replaces(db: asyncpg.Connection, alice: users.User) -> None:
    video = await add_video(db, alice)

    first = await transcripts.upsert(
        db,
        user_id=alice.id,
        video_id=video.id,
        source="youtube_auto",
        language="en",
        transcript_text="first draft",
        metadata={"asr": "v1"},
    )
    second = await transcripts.upsert(
        db,
        user_id=alice.id,
        video_id=video.id,
        source="youtube_auto",
        language="en",
        transcript_text="second draft",
        metadata={"asr": "v2"},
    )

    assert first is not None
    assert second is not None
    assert first.created is True
    assert second.created is False
    assert second.id == first.id
    stored = await transcripts.get_by_id(db, transcript_id=first.id, user_id=alice.id)
    assert stored is not None
    assert stored.transcript_text == "second draft"
    assert stored.metadata == {"asr": "v2"}
    assert (second.created_at, second.updated_at) == (stored.created_at, stored.updated_at)
    assert await transcripts.count_by_user(db, user_id=alice.id) == 1


async def test_upsert_without_metadata_resets_it(db: asyncpg.Connection, alice: users.User) -> None:
    video = await add_video(db, alice)
    transcript_id = await add_transcript(db, alice, video, "text", metadata={"a": 1})

    upserted = await transcripts.upsert(
        db,
        user_id=alice.id,
        video_id=video.id,
        source="youtube_manual",
        language="en",
        transcript_text="new text",
    )

    stored = await transcripts.get_by_id(db, transcript_id=transcript_id, user_id=alice.id)
    assert upserted is not None
    assert upserted.created is False
    assert stored is not None
    assert stored.metadata == {}


async def test_upsert_bumps_updated_at(db: asyncpg.Connection, alice: users.User) -> None:
    video = await add_video(db, alice)
    transcript_id = await insert_aged(
        db,
        "transcripts",
        user_id=alice.id,
        video_id=video.id,
        source="youtube_manual",
        language="en",
        transcript_text="old",
    )

    upserted = await transcripts.upsert(
        db,
        user_id=alice.id,
        video_id=video.id,
        source="youtube_manual",
        language="en",
        transcript_text="new",
    )

    stored = await transcripts.get_by_id(db, transcript_id=transcript_id, user_id=alice.id)
    now = await db_now(db)
    assert stored is not None
    assert stored.transcript_text == "new"
    assert stored.updated_at == now
    assert stored.created_at == now - timedelta(days=1)
    assert upserted is not None
    assert (upserted.id, upserted.created) == (transcript_id, False)
    assert (upserted.created_at, upserted.updated_at) == (stored.created_at, stored.updated_at)


async def test_another_language_or_source_is_another_transcript(
    db: asyncpg.Connection, alice: users.User
) -> None:
    video = await add_video(db, alice)
    english = await add_transcript(db, alice, video, "hello", language="en")

    french = await add_transcript(db, alice, video, "bonjour", language="fr")
    auto = await add_transcript(db, alice, video, "hello auto", source="youtube_auto")
    upload = await add_transcript(db, alice, video, "hello upload", source="upload")

    assert len({english, french, auto, upload}) == 4
    assert await transcripts.count_by_user(db, user_id=alice.id, video_id=video.id) == 4


async def test_same_source_and_language_on_another_video_is_another_transcript(
    db: asyncpg.Connection, alice: users.User
) -> None:
    first = await add_transcript(db, alice, await add_video(db, alice), "a")
    second = await add_transcript(db, alice, await add_video(db, alice), "b")

    assert first != second


@pytest.mark.parametrize("source", ["whisper", "YOUTUBE_AUTO", ""])
async def test_source_check(db: asyncpg.Connection, alice: users.User, source: str) -> None:
    video = await add_video(db, alice)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await add_transcript(db, alice, video, source=source)  # type: ignore[arg-type]
    assert caught.value.constraint_name == "transcripts_source_check"


@pytest.mark.parametrize("language", ["e", "english", "en_US", "en-", "-en", "12", "en-US!", ""])
async def test_language_format_rejects_non_bcp47(
    db: asyncpg.Connection, alice: users.User, language: str
) -> None:
    video = await add_video(db, alice)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await add_transcript(db, alice, video, language=language)
    assert caught.value.constraint_name == "transcripts_language_format"


@pytest.mark.parametrize("language", ["en", "pt-BR", "zh-Hant", "yue", "sr-Latn-RS", "es-419"])
async def test_language_format_accepts_bcp47(
    db: asyncpg.Connection, alice: users.User, language: str
) -> None:
    video = await add_video(db, alice)

    transcript_id = await add_transcript(db, alice, video, language=language)

    stored = await transcripts.get_by_id(db, transcript_id=transcript_id, user_id=alice.id)
    assert stored is not None
    assert stored.language == language


async def test_upsert_on_another_users_video_is_refused(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    video = await add_video(db, alice)

    with pytest.raises(asyncpg.ForeignKeyViolationError) as caught:
        async with db.transaction():
            await add_transcript(db, bob, video, "intrusion")
    assert caught.value.constraint_name == "transcripts_video_fkey"
    assert await transcripts.count_by_user(db, user_id=alice.id) == 0


async def test_upsert_cannot_overwrite_another_users_transcript(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    """Tenancy under ON CONFLICT: when alice already has the (video, source,
    language), bob's upsert with her video id must not take the DO UPDATE path."""
    video = await add_video(db, alice)
    transcript_id = await add_transcript(db, alice, video, "alice's words", metadata={"k": 1})

    outcome: object
    try:
        async with db.transaction():
            outcome = await transcripts.upsert(
                db,
                user_id=bob.id,
                video_id=video.id,
                source="youtube_manual",
                language="en",
                transcript_text="bob was here",
                metadata={"k": 2},
            )
    except asyncpg.PostgresError as error:
        outcome = error

    stored = await transcripts.get_by_id(db, transcript_id=transcript_id, user_id=alice.id)
    assert stored is not None
    assert (stored.transcript_text, stored.metadata) == ("alice's words", {"k": 1})
    assert not (isinstance(outcome, transcripts.Stored) and outcome.id == transcript_id), (
        "bob's upsert returned alice's transcript id"
    )


async def test_get_by_id_has_youtube_id_and_chunk_count(
    db: asyncpg.Connection, alice: users.User
) -> None:
    video = await add_video(db, alice)
    transcript_id = await add_transcript(
        db, alice, video, "full text", source="upload", language="pt-BR", metadata={"by": "me"}
    )
    await add_chunks(db, alice, transcript_id, ["one", "two", "three"])

    transcript = await transcripts.get_by_id(db, transcript_id=transcript_id, user_id=alice.id)

    assert isinstance(transcript, Transcript)
    assert transcript.id == transcript_id
    assert transcript.user_id == alice.id
    assert transcript.video_id == video.id
    assert transcript.youtube_video_id == video.youtube_video_id
    assert transcript.source == "upload"
    assert transcript.language == "pt-BR"
    assert transcript.transcript_text == "full text"
    assert transcript.metadata == {"by": "me"}
    assert transcript.chunk_count == 3


async def test_get_by_id_of_another_user_or_unknown_is_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    transcript_id = await add_transcript(db, alice, await add_video(db, alice))

    assert await transcripts.get_by_id(db, transcript_id=transcript_id, user_id=bob.id) is None
    assert await transcripts.get_by_id(db, transcript_id=uuid.uuid4(), user_id=alice.id) is None


async def test_list_by_user_leaves_out_the_text(db: asyncpg.Connection, alice: users.User) -> None:
    video = await add_video(db, alice)
    text = "naïve café — 日本語 " * 100
    transcript_id = await add_transcript(db, alice, video, text, metadata={"m": True})
    await add_chunks(db, alice, transcript_id, ["a", "b"])

    listed = await transcripts.list_by_user(db, user_id=alice.id, limit=10, offset=0)
    (summary,) = listed.items
    assert (listed.total, listed.exact) == (1, True)

    assert isinstance(summary, TranscriptSummary)
    assert "transcript_text" not in TranscriptSummary.__struct_fields__
    assert summary.id == transcript_id
    assert summary.video_id == video.id
    assert summary.youtube_video_id == video.youtube_video_id
    assert summary.char_count == len(text)
    assert summary.chunk_count == 2
    assert summary.metadata == {"m": True}
    assert (summary.source, summary.language) == ("youtube_manual", "en")


async def test_list_and_count_filter_by_video(db: asyncpg.Connection, alice: users.User) -> None:
    first = await add_video(db, alice)
    second = await add_video(db, alice)
    first_en = await add_transcript(db, alice, first, "a", language="en")
    first_de = await add_transcript(db, alice, first, "b", language="de")
    second_en = await add_transcript(db, alice, second, "c")

    async def ids(**filters: object) -> set[uuid.UUID]:
        listed = await transcripts.list_by_user(
            db,
            user_id=alice.id,
            limit=10,
            offset=0,
            **filters,  # type: ignore[arg-type]
        )
        count = await transcripts.count_by_user(db, user_id=alice.id, **filters)  # type: ignore[arg-type]
        assert count == len(listed.items) == listed.total
        return {t.id for t in listed.items}

    assert await ids() == {first_en, first_de, second_en}
    assert await ids(video_id=first.id) == {first_en, first_de}
    assert await ids(youtube_video_id=second.youtube_video_id) == {second_en}
    assert await ids(video_id=first.id, youtube_video_id=first.youtube_video_id) == {
        first_en,
        first_de,
    }
    assert await ids(video_id=first.id, youtube_video_id=second.youtube_video_id) == set()
    assert await ids(youtube_video_id="zzzzzzzzzzz") == set()


async def test_list_is_newest_first_and_paginates(
    db: asyncpg.Connection, alice: users.User
) -> None:
    made = [await add_transcript(db, alice, await add_video(db, alice)) for _ in range(5)]
    for age, transcript_id in enumerate(made):
        await db.execute(
            "UPDATE transcripts SET created_at = now() - make_interval(mins => $2) WHERE id = $1",
            transcript_id,
            age,
        )

    listings = [
        await transcripts.list_by_user(db, user_id=alice.id, limit=2, offset=o) for o in (0, 2, 4)
    ]
    pages = [[t.id for t in listed.items] for listed in listings]

    assert pages == [made[:2], made[2:4], made[4:]]
    assert [listed.total for listed in listings] == [5, 5, 5]

    by_cursor = []
    after = None
    for _ in range(4):
        listed = await transcripts.list_by_user(db, user_id=alice.id, after=after, limit=2)
        by_cursor.append([t.id for t in listed.items])
        if listed.items:
            after = (listed.items[-1].created_at, listed.items[-1].id)
    assert by_cursor == [made[:2], made[2:4], made[4:], []]


async def test_list_count_exists_of_another_user(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    video = await add_video(db, alice)
    transcript_id = await add_transcript(db, alice, video)

    assert await transcripts.list_by_user(db, user_id=bob.id, limit=10, offset=0) == Listing([], 0)
    assert await transcripts.list_by_user(
        db, user_id=bob.id, video_id=video.id, limit=10, offset=0
    ) == Listing([], 0)
    assert await transcripts.count_by_user(db, user_id=bob.id) == 0
    assert (
        await transcripts.count_by_user(db, user_id=bob.id, youtube_video_id=video.youtube_video_id)
        == 0
    )
    assert await transcripts.exists(db, transcript_id=transcript_id, user_id=alice.id) is True
    assert await transcripts.exists(db, transcript_id=transcript_id, user_id=bob.id) is False
    assert await transcripts.exists(db, transcript_id=uuid.uuid4(), user_id=alice.id) is False


async def test_delete_takes_its_chunks(db: asyncpg.Connection, alice: users.User) -> None:
    video = await add_video(db, alice)
    doomed = await add_transcript(db, alice, video, "x", language="en")
    kept = await add_transcript(db, alice, video, "y", language="fr")
    await add_chunks(db, alice, doomed, ["a", "b", "c"])
    await add_chunks(db, alice, kept, ["d"])

    assert await transcripts.delete(db, transcript_id=doomed, user_id=alice.id) is True
    assert await transcripts.delete(db, transcript_id=doomed, user_id=alice.id) is False

    assert await chunks.count_by_transcript(db, transcript_id=doomed, user_id=alice.id) == 0
    assert await chunks.count_by_transcript(db, transcript_id=kept, user_id=alice.id) == 1
    assert await db.fetchval("SELECT count(*) FROM chunks WHERE transcript_id = $1", doomed) == 0


async def test_delete_of_another_users_transcript_is_false(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    transcript_id = await add_transcript(db, alice, await add_video(db, alice))

    assert await transcripts.delete(db, transcript_id=transcript_id, user_id=bob.id) is False
    assert await transcripts.exists(db, transcript_id=transcript_id, user_id=alice.id) is True


async def test_deleting_a_video_cascades_to_transcripts_and_chunks(
    db: asyncpg.Connection, alice: users.User
) -> None:
    video = await add_video(db, alice)
    other = await add_video(db, alice)
    doomed = [await add_transcript(db, alice, video, "x", language=lang) for lang in ("en", "fr")]
    for transcript_id in doomed:
        await add_chunks(db, alice, transcript_id, ["a", "b"])
    kept = await add_transcript(db, alice, other, "z")
    await add_chunks(db, alice, kept, ["c"])

    assert await videos.delete(db, video_id=video.id, user_id=alice.id) is True

    assert await transcripts.count_by_user(db, user_id=alice.id) == 1
    assert (
        await db.fetchval(
            "SELECT count(*) FROM chunks WHERE transcript_id = ANY($1::uuid[])", doomed
        )
        == 0
    )
    assert await chunks.count_by_transcript(db, transcript_id=kept, user_id=alice.id) == 1
