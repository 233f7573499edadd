"""chunks.search and chunks.search_count: PostgreSQL full-text search over a user's
chunks, web-search syntax, ranked, highlighted, filtered and tenant-scoped."""

import uuid
from typing import Any

import asyncpg
import pytest

from service.db import sql
from service.queries import chunks, users
from service.queries.chunks import SearchFilter, SearchHit
from service.queries.videos import Video
from tests.sql.library_fixtures import add_channel, add_chunks, add_transcript, add_video

TEXTS = [
    "The quick brown fox jumps over the lazy dog",  # 0
    "A brown dog sleeps while the quick cat watches",  # 1
    "Foxes are quick and clever animals of the forest",  # 2
    "Database indexes make full text search fast",  # 3
    "Cooking pasta needs salted boiling water",  # 4
]


async def library(
    db: asyncpg.Connection, user: users.User, texts: list[str], **video_fields: Any
) -> tuple[Video, uuid.UUID, list[chunks.Chunk]]:
    video = await add_video(db, user, title="Library video", **video_fields)
    transcript_id = await add_transcript(db, user, video, " ".join(texts))
    made = await add_chunks(db, user, transcript_id, texts)
    return video, transcript_id, made


async def hits(
    db: asyncpg.Connection,
    user: users.User,
    query: str,
    filters: SearchFilter | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[SearchHit]:
    found = await chunks.search(
        db,
        user_id=user.id,
        query=query,
        filters=filters or SearchFilter(),
        limit=limit,
        offset=offset,
    )
    if offset == 0 and len(found) < limit:
        count = await chunks.search_count(
            db, user_id=user.id, query=query, filters=filters or SearchFilter()
        )
        assert count == len(found), query
    return found


async def indexes_found(db: asyncpg.Connection, user: users.User, query: str) -> set[int]:
    return {h.chunk_index for h in await hits(db, user, query)}


async def test_plain_words_match_all_of_them_with_stemming(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await library(db, alice, TEXTS)

    assert await indexes_found(db, alice, "fox") == {0, 2}
    assert await indexes_found(db, alice, "quick dog") == {0, 1}
    assert await indexes_found(db, alice, "boil") == {4}
    assert await indexes_found(db, alice, "unicorn") == set()


async def test_quoted_phrase_matches_only_the_exact_phrase(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await library(db, alice, TEXTS)

    # unquoted, the words may be anywhere in the chunk and in any order
    assert await indexes_found(db, alice, "quick brown") == {0, 1}
    assert await indexes_found(db, alice, "dog brown") == {0, 1}
    # quoted, they must be adjacent and in this order
    assert await indexes_found(db, alice, '"quick brown"') == {0}
    assert await indexes_found(db, alice, '"brown quick"') == set()
    assert await indexes_found(db, alice, '"brown dog"') == {1}
    assert await indexes_found(db, alice, '"dog brown"') == set()
    assert await indexes_found(db, alice, '"quick brown fox"') == {0}
    assert await indexes_found(db, alice, '"quick brown cat"') == set()


async def test_or_matches_either(db: asyncpg.Connection, alice: users.User) -> None:
    await library(db, alice, TEXTS)

    assert await indexes_found(db, alice, "pasta OR database") == {3, 4}
    assert await indexes_found(db, alice, "cat or forest") == {1, 2}


async def test_minus_excludes(db: asyncpg.Connection, alice: users.User) -> None:
    await library(db, alice, TEXTS)

    assert await indexes_found(db, alice, "quick -fox") == {1}
    assert await indexes_found(db, alice, "brown -cat") == {0}
    assert await indexes_found(db, alice, 'quick -"lazy dog"') == {1, 2}


@pytest.mark.parametrize("query", ["the", "the and of", "a an", "", "   ", "-", '""'])
async def test_stop_words_only_or_empty_query_finds_nothing(
    db: asyncpg.Connection, alice: users.User, query: str
) -> None:
    await library(db, alice, TEXTS)

    assert await hits(db, alice, query) == []
    assert await chunks.search_count(db, user_id=alice.id, query=query) == 0


async def test_stray_syntax_does_not_raise(db: asyncpg.Connection, alice: users.User) -> None:
    await library(db, alice, TEXTS)

    assert await indexes_found(db, alice, 'fox & | ! ( "') == {0, 2}
    assert await indexes_found(db, alice, "fox:*") == {0, 2}


async def test_more_mentions_rank_higher(db: asyncpg.Connection, alice: users.User) -> None:
    await library(
        db,
        alice,
        [
            "one mention of postgres in a long sentence about other things entirely",
            "postgres postgres postgres: postgres everywhere, postgres all day",
            "postgres and postgres twice",
        ],
    )

    found = await hits(db, alice, "postgres")

    assert [h.chunk_index for h in found] == [1, 2, 0]
    assert found[0].rank > found[1].rank > found[2].rank > 0
    assert all(0 < h.rank < 1 for h in found)


async def test_hit_carries_its_context(db: asyncpg.Connection, alice: users.User) -> None:
    channel = await add_channel(db, alice)
    video, transcript_id, made = await library(db, alice, TEXTS, channel_id=channel.id)

    (hit,) = await hits(db, alice, "pasta")

    assert isinstance(hit, SearchHit)
    assert hit.chunk_id == made[4].id
    assert hit.transcript_id == transcript_id
    assert hit.video_id == video.id
    assert hit.youtube_video_id == video.youtube_video_id
    assert hit.video_title == "Library video"
    assert hit.channel_id == channel.id
    assert hit.chunk_index == 4
    assert hit.chunk_text == TEXTS[4]


async def test_snippet_highlights_the_matches(db: asyncpg.Connection, alice: users.User) -> None:
    await library(db, alice, TEXTS)

    (hit,) = await hits(db, alice, "pasta water")

    assert "<mark>pasta</mark>" in hit.snippet
    assert "<mark>water</mark>" in hit.snippet
    assert "<mark>" in hit.snippet and "</mark>" in hit.snippet


async def test_snippet_highlights_stemmed_forms(db: asyncpg.Connection, alice: users.User) -> None:
    await library(db, alice, TEXTS)

    (hit,) = await hits(db, alice, "boil")

    assert "<mark>boiling</mark>" in hit.snippet


async def test_snippet_of_a_long_chunk_is_shorter_than_the_chunk(
    db: asyncpg.Connection, alice: users.User
) -> None:
    long_text = " ".join(["filler words go here"] * 40 + ["the needle is here"] + ["more"] * 60)
    await library(db, alice, [long_text])

    (hit,) = await hits(db, alice, "needle")

    assert "<mark>needle</mark>" in hit.snippet
    assert len(hit.snippet) < len(long_text)
    assert hit.chunk_text == long_text


async def test_filter_by_video_and_channel(db: asyncpg.Connection, alice: users.User) -> None:
    channel = await add_channel(db, alice)
    in_channel, _, _ = await library(db, alice, ["salmon swims upstream"], channel_id=channel.id)
    loose, _, _ = await library(db, alice, ["salmon on the grill"])

    async def videos_found(filters: SearchFilter) -> set[uuid.UUID]:
        return {h.video_id for h in await hits(db, alice, "salmon", filters)}

    assert await videos_found(SearchFilter()) == {in_channel.id, loose.id}
    assert await videos_found(SearchFilter(video_id=loose.id)) == {loose.id}
    assert await videos_found(SearchFilter(channel_id=channel.id)) == {in_channel.id}
    assert await videos_found(SearchFilter(channel_id=channel.id, video_id=loose.id)) == set()
    assert await videos_found(SearchFilter(video_id=uuid.uuid4())) == set()


async def test_filter_by_metadata_containment(db: asyncpg.Connection, alice: users.User) -> None:
    await library(
        db,
        alice,
        ["speaker talks about rust", "guest talks about rust", "host talks about rust"],
    )
    transcript_id = await add_transcript(db, alice, await add_video(db, alice), "x")
    await add_chunks(
        db,
        alice,
        transcript_id,
        ["rust one", "rust two", "rust three"],
        metadata=[
            {"speaker": "ana", "section": {"part": 1}},
            {"speaker": "bo", "section": {"part": 1}, "extra": True},
            {"speaker": "ana", "section": {"part": 2}},
        ],
    )

    async def texts(metadata: dict[str, object]) -> set[str]:
        found = await hits(db, alice, "rust", SearchFilter(metadata=metadata))
        return {h.chunk_text for h in found}

    assert await texts({"speaker": "ana"}) == {"rust one", "rust three"}
    assert await texts({"section": {"part": 1}}) == {"rust one", "rust two"}
    assert await texts({"speaker": "ana", "section": {"part": 2}}) == {"rust three"}
    assert await texts({"extra": True}) == {"rust two"}
    assert await texts({"speaker": "nobody"}) == set()
    assert len(await texts({})) == 6


async def test_other_users_chunks_never_appear(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    alices_video, _, _ = await library(db, alice, ["alice secret zebra"])
    bobs_video, _, _ = await library(db, bob, ["bob public zebra"])

    mine = await hits(db, alice, "zebra")
    theirs = await hits(db, bob, "zebra")

    assert [h.video_id for h in mine] == [alices_video.id]
    assert [h.video_id for h in theirs] == [bobs_video.id]
    assert await hits(db, bob, "secret") == []
    assert await hits(db, bob, "zebra", SearchFilter(video_id=alices_video.id)) == []
    assert await chunks.search_count(db, user_id=bob.id, query="alice") == 0


async def test_pagination_is_stable_and_complete(db: asyncpg.Connection, alice: users.User) -> None:
    # Equal texts tie on rank: chunk id breaks the tie, so pages never overlap.
    _, _, made = await library(db, alice, ["matching term here"] * 7 + ["term term term"])

    pages = [await hits(db, alice, "term", limit=3, offset=o) for o in (0, 3, 6, 9)]

    assert [len(p) for p in pages] == [3, 3, 2, 0]
    seen = [h.chunk_id for page in pages for h in page]
    assert len(seen) == len(set(seen)) == 8
    assert set(seen) == {c.id for c in made}
    assert pages[0][0].chunk_index == 7
    ranks = [h.rank for page in pages for h in page]
    assert ranks == sorted(ranks, reverse=True)
    assert await chunks.search_count(db, user_id=alice.id, query="term") == 8


async def test_search_plan_uses_the_gin_index(db: asyncpg.Connection, alice: users.User) -> None:
    vocabulary = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
        "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
        "sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu",
    ]  # fmt: skip
    texts = [
        " ".join(vocabulary[(i * k) % len(vocabulary)] + str(i % (k + 7)) for k in range(1, 9))
        for i in range(3000)
    ]
    texts[1234] += " needleword"
    transcript_id = await add_transcript(db, alice, await add_video(db, alice), "big")
    await add_chunks(db, alice, transcript_id, texts)
    # Fresh GIN entries wait in the index's pending list (fastupdate) until a vacuum,
    # which cannot run inside the test's transaction; the planner prices a long pending
    # list as a full scan of it. Flush it, as autovacuum would, then gather statistics.
    # No enable_seqscan = off: on these 3000 rows the index wins on cost alone.
    await db.fetchval("SELECT gin_clean_pending_list('idx_chunks_search_vector')")
    await db.execute("ANALYZE chunks")
    query_text = sql("chunks/search")
    args = (alice.id, "needleword", None, None, None, 10, 0)

    plan = "\n".join(r[0] for r in await db.fetch("EXPLAIN (FORMAT TEXT) " + query_text, *args))

    assert "idx_chunks_search_vector" in plan, plan
    found = await chunks.search(db, user_id=alice.id, query="needleword", limit=10, offset=0)
    assert [h.chunk_index for h in found] == [1234]
