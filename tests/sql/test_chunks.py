import uuid

import asyncpg
import pytest

from service.chunking import NewChunk
from service.queries import chunks, transcripts, users
from service.queries.chunks import Chunk
from tests.sql.library_fixtures import add_chunks, add_transcript, add_video, new_chunks


async def transcript_of(db: asyncpg.Connection, user: users.User, text: str = "t") -> uuid.UUID:
    return await add_transcript(db, user, await add_video(db, user), text)


async def test_create_many_inserts_5000_chunks_in_one_call(
    db: asyncpg.Connection, alice: users.User
) -> None:
    transcript_id = await transcript_of(db, alice)
    batch = new_chunks([f"chunk number {i}" for i in range(5000)])

    inserted = await chunks.create_many(
        db, user_id=alice.id, transcript_id=transcript_id, chunks=batch
    )

    assert inserted == 5000
    assert await chunks.count_by_transcript(db, transcript_id=transcript_id, user_id=alice.id) == (
        5000
    )
    transcript = await transcripts.get_by_id(db, transcript_id=transcript_id, user_id=alice.id)
    assert transcript is not None
    assert transcript.chunk_count == 5000


async def test_list_by_transcript_orders_by_chunk_index_and_paginates(
    db: asyncpg.Connection, alice: users.User
) -> None:
    transcript_id = await transcript_of(db, alice)
    # inserted out of order: the list sorts by chunk_index, not by insertion
    order = [3, 0, 4, 1, 2, 6, 5]
    await chunks.create_many(
        db,
        user_id=alice.id,
        transcript_id=transcript_id,
        chunks=[NewChunk(i, f"text {i}", 2) for i in order],
    )

    async def page(limit: int, offset: int = 0, after: int | None = None) -> list[int]:
        listed = await chunks.list_by_transcript(
            db,
            transcript_id=transcript_id,
            user_id=alice.id,
            after=after,
            limit=limit,
            offset=offset,
        )
        assert listed is not None
        assert (listed.total, listed.exact) == (7, True)
        return [c.chunk_index for c in listed.items]

    assert await page(10, 0) == [0, 1, 2, 3, 4, 5, 6]
    assert await page(3, 0) == [0, 1, 2]
    assert await page(3, 3) == [3, 4, 5]
    assert await page(3, 6) == [6]
    assert await page(3, 9) == []
    # the cursor: the chunk_index of the previous page's last chunk
    assert await page(3, after=2) == [3, 4, 5]
    assert await page(3, after=5) == [6]
    assert await page(3, after=6) == []
    assert await page(10, after=-1) == [0, 1, 2, 3, 4, 5, 6]


async def test_5000_chunks_list_in_order_across_pages(
    db: asyncpg.Connection, alice: users.User
) -> None:
    transcript_id = await transcript_of(db, alice)
    await chunks.create_many(
        db,
        user_id=alice.id,
        transcript_id=transcript_id,
        chunks=new_chunks([f"part {i}" for i in range(5000)]),
    )

    pages = [
        await chunks.list_by_transcript(
            db, transcript_id=transcript_id, user_id=alice.id, limit=1000, offset=offset
        )
        for offset in range(0, 5000, 1000)
    ]
    indexes = [c.chunk_index for page in pages if page is not None for c in page.items]

    assert indexes == list(range(5000))
    assert [page.total if page else None for page in pages] == [5000] * 5

    by_cursor: list[int] = []
    after: int | None = None
    while True:
        page = await chunks.list_by_transcript(
            db, transcript_id=transcript_id, user_id=alice.id, after=after, limit=1000
        )
        assert page is not None
        if not page.items:
            break
        by_cursor += [c.chunk_index for c in page.items]
        after = page.items[-1].chunk_index
    assert by_cursor == list(range(5000))


async def test_chunk_fields_round_trip(db: asyncpg.Connection, alice: users.User) -> None:
    transcript_id = await transcript_of(db, alice)
    metadata = {"start": 12.5, "end": 30.0, "speaker": "Ana", "tags": ["intro"]}

    await chunks.create_many(
        db,
        user_id=alice.id,
        transcript_id=transcript_id,
        chunks=[NewChunk(0, "Line one\nline two 🎬", 6, metadata)],
    )

    listed = await chunks.list_by_transcript(
        db, transcript_id=transcript_id, user_id=alice.id, limit=10, offset=0
    )
    assert listed is not None
    (chunk,) = listed.items
    assert isinstance(chunk, Chunk)
    assert chunk.user_id == alice.id
    assert chunk.transcript_id == transcript_id
    assert chunk.chunk_index == 0
    assert chunk.chunk_text == "Line one\nline two 🎬"
    assert chunk.token_count == 6
    assert chunk.metadata == metadata


async def test_create_many_of_nothing_inserts_nothing(
    db: asyncpg.Connection, alice: users.User
) -> None:
    transcript_id = await transcript_of(db, alice)

    assert (
        await chunks.create_many(db, user_id=alice.id, transcript_id=transcript_id, chunks=[]) == 0
    )


async def test_duplicate_chunk_index_is_a_unique_violation(
    db: asyncpg.Connection, alice: users.User
) -> None:
    transcript_id = await transcript_of(db, alice)
    await add_chunks(db, alice, transcript_id, ["zero", "one"])

    with pytest.raises(asyncpg.UniqueViolationError) as caught:
        async with db.transaction():
            await chunks.create_many(
                db,
                user_id=alice.id,
                transcript_id=transcript_id,
                chunks=[NewChunk(2, "two", 1), NewChunk(1, "one again", 3)],
            )
    assert caught.value.constraint_name == "uq_chunks_transcript_chunk_index"
    assert await chunks.count_by_transcript(db, transcript_id=transcript_id, user_id=alice.id) == 2


async def test_duplicate_chunk_index_within_one_batch_rejects_the_batch(
    db: asyncpg.Connection, alice: users.User
) -> None:
    transcript_id = await transcript_of(db, alice)

    with pytest.raises(asyncpg.UniqueViolationError):
        async with db.transaction():
            await chunks.create_many(
                db,
                user_id=alice.id,
                transcript_id=transcript_id,
                chunks=[NewChunk(0, "a", 1), NewChunk(1, "b", 1), NewChunk(0, "c", 1)],
            )
    assert await chunks.count_by_transcript(db, transcript_id=transcript_id, user_id=alice.id) == 0


async def test_same_chunk_index_in_two_transcripts_is_fine(
    db: asyncpg.Connection, alice: users.User
) -> None:
    first = await transcript_of(db, alice)
    second = await transcript_of(db, alice)

    await add_chunks(db, alice, first, ["a"])
    await add_chunks(db, alice, second, ["b"])

    assert await chunks.count_by_transcript(db, transcript_id=first, user_id=alice.id) == 1
    assert await chunks.count_by_transcript(db, transcript_id=second, user_id=alice.id) == 1


@pytest.mark.parametrize(
    ("chunk", "constraint"),
    [
        (NewChunk(-1, "text", 1), "chunks_index_not_negative"),
        (NewChunk(0, "text", -1), "chunks_token_count_not_negative"),
        (NewChunk(0, "  \n\t ", 1), "chunks_text_not_blank"),
        (NewChunk(0, "", 0), "chunks_text_not_blank"),
    ],
)
async def test_chunk_checks(
    db: asyncpg.Connection, alice: users.User, chunk: NewChunk, constraint: str
) -> None:
    transcript_id = await transcript_of(db, alice)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await chunks.create_many(
                db, user_id=alice.id, transcript_id=transcript_id, chunks=[chunk]
            )
    assert caught.value.constraint_name == constraint


async def test_create_many_into_another_users_transcript_is_refused(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    transcript_id = await transcript_of(db, alice)

    with pytest.raises(asyncpg.ForeignKeyViolationError) as caught:
        async with db.transaction():
            await chunks.create_many(
                db, user_id=bob.id, transcript_id=transcript_id, chunks=new_chunks(["spam"])
            )
    assert caught.value.constraint_name == "chunks_transcript_fkey"
    assert await chunks.count_by_transcript(db, transcript_id=transcript_id, user_id=alice.id) == 0


async def test_list_and_count_of_another_user_are_empty(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    transcript_id = await transcript_of(db, alice)
    await add_chunks(db, alice, transcript_id, ["a", "b"])

    # Not bob's transcript: no listing at all (an API answers 404), not an empty one.
    assert (
        await chunks.list_by_transcript(
            db, transcript_id=transcript_id, user_id=bob.id, limit=10, offset=0
        )
        is None
    )
    assert (
        await chunks.list_by_transcript(
            db, transcript_id=uuid.uuid4(), user_id=alice.id, limit=10, offset=0
        )
        is None
    )
    assert await chunks.count_by_transcript(db, transcript_id=transcript_id, user_id=bob.id) == 0


async def test_list_by_ids_returns_own_chunks_in_transcript_order(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    first = await transcript_of(db, alice)
    second = await transcript_of(db, alice)
    first_chunks = await add_chunks(db, alice, first, ["a0", "a1", "a2"])
    second_chunks = await add_chunks(db, alice, second, ["b0", "b1"])
    bobs = await add_chunks(db, bob, await transcript_of(db, bob), ["secret"])

    wanted = [second_chunks[1], first_chunks[2], first_chunks[0], second_chunks[0]]
    found = await chunks.list_by_ids(
        db,
        chunk_ids=[c.id for c in wanted] + [bobs[0].id, uuid.uuid4()],
        user_id=alice.id,
    )

    expected = sorted(wanted, key=lambda c: (c.transcript_id, c.chunk_index))
    assert found == expected
    assert bobs[0].id not in {c.id for c in found}


async def test_list_by_ids_of_another_user_or_of_nothing_is_empty(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    made = await add_chunks(db, alice, await transcript_of(db, alice), ["a", "b"])

    assert await chunks.list_by_ids(db, chunk_ids=[c.id for c in made], user_id=bob.id) == []
    assert await chunks.list_by_ids(db, chunk_ids=[], user_id=alice.id) == []


async def test_delete_by_transcript_counts_what_it_removed(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    doomed = await transcript_of(db, alice)
    kept = await transcript_of(db, alice)
    await add_chunks(db, alice, doomed, ["a", "b", "c", "d"])
    await add_chunks(db, alice, kept, ["e"])

    assert await chunks.delete_by_transcript(db, transcript_id=doomed, user_id=bob.id) == 0
    assert await chunks.count_by_transcript(db, transcript_id=doomed, user_id=alice.id) == 4
    assert await chunks.delete_by_transcript(db, transcript_id=doomed, user_id=alice.id) == 4
    assert await chunks.delete_by_transcript(db, transcript_id=doomed, user_id=alice.id) == 0
    assert await chunks.count_by_transcript(db, transcript_id=kept, user_id=alice.id) == 1
    assert await transcripts.exists(db, transcript_id=doomed, user_id=alice.id) is True


async def test_search_vector_is_generated_from_the_text(
    db: asyncpg.Connection, alice: users.User
) -> None:
    (chunk,) = await add_chunks(
        db, alice, await transcript_of(db, alice), ["The cats were running"]
    )

    vector = await db.fetchval("SELECT search_vector::text FROM chunks WHERE id = $1", chunk.id)

    assert vector == "'cat':2 'run':4"
