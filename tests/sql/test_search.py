"""chunks.search and chunks.search_scoped: PostgreSQL full-text search over a user's
chunks, web-search syntax, ranked, highlighted, filtered and tenant-scoped, with the
number of matches (the listing's total) in the same statement."""

import uuid
from typing import Any

import asyncpg
import pytest

from service.db import Listing, sql
from service.queries import chunks, users
from service.queries.chunks import SearchHit
from service.queries.videos import Video
from tests.sql.library_fixtures import add_channel, add_chunks, add_transcript, add_video

TEXTS = [
    "The quick brown fox jumps over the lazy dog",  # 0
    "A brown dog sleeps while the quick cat watches",  # 1
    "Foxes are quick and clever animals of the forest",  # 2
    "Database indexes make full text search fast",  # 3
    "Cooking pasta needs salted boiling water",  # 4
]

# Far more than any test here matches: totals are exact.
CANDIDATES = 10_000


async def library(
    db: asyncpg.Connection, user: users.User, texts: list[str], **video_fields: Any
) -> tuple[Video, uuid.UUID, list[chunks.Chunk]]:
    video = await add_video(db, user, title="Library video", **video_fields)
    transcript_id = await add_transcript(db, user, video, " ".join(texts))
    made = await add_chunks(db, user, transcript_id, texts)
    return video, transcript_id, made


async def search(
    db: asyncpg.Connection,
    user: users.User,
    query: str,
    *,
    video_id: uuid.UUID | None = None,
    channel_id: uuid.UUID | None = None,
    metadata: dict[str, Any] | None = None,
    candidates: int = CANDIDATES,
    after: tuple[float, uuid.UUID] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Listing[SearchHit]:
    """chunks.search, or chunks.search_scoped when a video or channel is given. An
    unscoped search is also run through search_scoped (no scope: all the user's
    chunks), which must find the very same page."""
    scoped = await chunks.search_scoped(
        db,
        user_id=user.id,
        query=query,
        video_id=video_id,
        channel_id=channel_id,
        metadata=metadata,
        candidates=candidates,
        after=after,
        limit=limit,
        offset=offset,
    )
    if video_id is not None or channel_id is not None:
        return scoped
    found = await chunks.search(
        db,
        user_id=user.id,
        query=query,
        metadata=metadata,
        candidates=candidates,
        after=after,
        limit=limit,
        offset=offset,
    )
    assert scoped == found, query
    return found


async def hits(
    db: asyncpg.Connection,
    user: users.User,
    query: str,
    *,
    limit: int = 50,
    offset: int = 0,
    **filters: Any,
) -> list[SearchHit]:
    found = await search(db, user, query, limit=limit, offset=offset, **filters)
    assert found.exact, query
    if offset == 0 and len(found.items) < limit:
        assert found.total == len(found.items), query
    return found.items


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

    assert await search(db, alice, query) == Listing([], 0)


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


async def test_snippet_escapes_the_text_before_marking_it(
    db: asyncpg.Connection, alice: users.User
) -> None:
    text = """salmon: a <b> c and <script>alert("x")</script> & 'quoted' words"""
    await library(db, alice, [text])

    (hit,) = await hits(db, alice, "salmon")

    assert "a &lt;b&gt; c" in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "&amp;" in hit.snippet
    assert "&quot;x&quot;" in hit.snippet
    assert "&#39;quoted&#39;" in hit.snippet
    assert "<mark>salmon</mark>" in hit.snippet
    # <mark> and </mark> are the only markup left
    assert hit.snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert ">" not in hit.snippet.replace("<mark>", "").replace("</mark>", "")
    # the chunk text itself is returned as stored
    assert hit.chunk_text == text


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

    async def videos_found(**scope: Any) -> set[uuid.UUID]:
        return {h.video_id for h in await hits(db, alice, "salmon", **scope)}

    assert await videos_found() == {in_channel.id, loose.id}
    assert await videos_found(video_id=loose.id) == {loose.id}
    assert await videos_found(channel_id=channel.id) == {in_channel.id}
    assert await videos_found(channel_id=channel.id, video_id=in_channel.id) == {in_channel.id}
    assert await videos_found(channel_id=channel.id, video_id=loose.id) == set()
    assert await videos_found(video_id=uuid.uuid4()) == set()
    assert await videos_found(channel_id=uuid.uuid4()) == set()


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

    async def texts(metadata: dict[str, object], **scope: Any) -> set[str]:
        found = await hits(db, alice, "rust", metadata=metadata, **scope)
        return {h.chunk_text for h in found}

    assert await texts({"speaker": "ana"}) == {"rust one", "rust three"}
    assert await texts({"section": {"part": 1}}) == {"rust one", "rust two"}
    assert await texts({"speaker": "ana", "section": {"part": 2}}) == {"rust three"}
    assert await texts({"extra": True}) == {"rust two"}
    assert await texts({"speaker": "nobody"}) == set()
    assert len(await texts({})) == 6
    # within one video, the metadata filter still applies
    video_id = await db.fetchval("SELECT video_id FROM transcripts WHERE id = $1", transcript_id)
    assert await texts({"speaker": "ana"}, video_id=video_id) == {"rust one", "rust three"}
    assert len(await texts({}, video_id=video_id)) == 3


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
    assert await search(db, bob, "zebra", video_id=alices_video.id) == Listing([], 0)
    assert await search(db, bob, "alice") == Listing([], 0)
    assert (await search(db, alice, "zebra")).total == 1


async def test_pagination_is_stable_and_complete(db: asyncpg.Connection, alice: users.User) -> None:
    # Equal texts tie on rank: chunk id breaks the tie, so pages never overlap.
    _, _, made = await library(db, alice, ["matching term here"] * 7 + ["term term term"])

    listings = [await search(db, alice, "term", limit=3, offset=o) for o in (0, 3, 6, 9)]
    pages = [listed.items for listed in listings]

    assert [len(p) for p in pages] == [3, 3, 2, 0]
    seen = [h.chunk_id for page in pages for h in page]
    assert len(seen) == len(set(seen)) == 8
    assert set(seen) == {c.id for c in made}
    assert pages[0][0].chunk_index == 7
    ranks = [h.rank for page in pages for h in page]
    assert ranks == sorted(ranks, reverse=True)
    assert [(listed.total, listed.exact) for listed in listings] == [(8, True)] * 4


async def test_cursor_pages_are_the_offset_pages(db: asyncpg.Connection, alice: users.User) -> None:
    # Ties on rank again: the cursor is (rank, chunk_id), ties go by chunk id.
    await library(db, alice, ["matching term here"] * 7 + ["term term term"])
    everything = (await search(db, alice, "term", limit=50)).items

    by_cursor: list[list[SearchHit]] = []
    after: tuple[float, uuid.UUID] | None = None
    for _ in range(4):
        listed = await search(db, alice, "term", after=after, limit=3)
        assert (listed.total, listed.exact) == (8, True)
        by_cursor.append(listed.items)
        if listed.items:
            after = (listed.items[-1].rank, listed.items[-1].chunk_id)

    assert by_cursor == [everything[0:3], everything[3:6], everything[6:], []]
    tied = everything[1:]
    assert [h.chunk_id for h in tied] == sorted(h.chunk_id for h in tied)


async def test_cursor_pages_within_a_video(db: asyncpg.Connection, alice: users.User) -> None:
    video, _, _ = await library(db, alice, ["term here"] * 5 + ["term term"])
    await library(db, alice, ["term elsewhere"] * 4)
    everything = (await search(db, alice, "term", video_id=video.id, limit=50)).items
    assert len(everything) == 6

    first = await search(db, alice, "term", video_id=video.id, limit=4)
    last = first.items[-1]
    second = await search(
        db, alice, "term", video_id=video.id, after=(last.rank, last.chunk_id), limit=4
    )

    assert (first.total, second.total) == (6, 6)
    assert first.items + second.items == everything


async def test_candidates_bound_the_ranked_matches(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await library(db, alice, [f"bounded term {i}" for i in range(8)])

    at_least = await search(db, alice, "bounded", candidates=3)
    exact = await search(db, alice, "bounded", candidates=8)
    scoped = await search(db, alice, "bounded", candidates=3, video_id=at_least.items[0].video_id)

    # more matches than candidates: the total is a lower bound past the bound
    assert at_least.exact is False
    assert 3 <= at_least.total <= 8
    assert len(at_least.items) == min(at_least.total, 50)
    assert scoped.exact is False
    assert 3 <= scoped.total <= 8
    # as many matches as candidates: all ranked, the total is exact
    assert (exact.total, exact.exact, len(exact.items)) == (8, True, 8)


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
    args = (alice.id, "needleword", None, CANDIDATES, None, None, 10, 0)

    plan = "\n".join(r[0] for r in await db.fetch("EXPLAIN (FORMAT TEXT) " + query_text, *args))

    assert "idx_chunks_search_vector" in plan, plan
    found = await chunks.search(
        db, user_id=alice.id, query="needleword", candidates=CANDIDATES, limit=10, offset=0
    )
    assert [h.chunk_index for h in found.items] == [1234]
    assert (found.total, found.exact) == (1, True)
