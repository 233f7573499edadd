"""/transcripts: ingest by YouTube id (video created when missing, all in one
transaction), server-side or given chunks, atomic re-ingest, list, get, chunks, delete."""

import asyncio
import itertools
import math
from datetime import datetime
from typing import Any

import asyncpg
import pytest

from tests.api.conftest import Account
from tests.api.helpers import (
    Client,
    assert_bad_request,
    create_channel,
    create_video,
    ingest,
    list_chunks,
    new_youtube_video_id,
    random_id,
    total,
)

TRANSCRIPT_FIELDS = {
    "id",
    "user_id",
    "video_id",
    "youtube_video_id",
    "source",
    "language",
    "title",
    "transcript_text",
    "metadata",
    "chunk_count",
    "created_at",
    "updated_at",
}
SUMMARY_FIELDS = (TRANSCRIPT_FIELDS - {"transcript_text"}) | {"char_count"}
CHUNK_FIELDS = {
    "id",
    "user_id",
    "transcript_id",
    "chunk_index",
    "chunk_text",
    "token_count",
    "metadata",
    "created_at",
}


def numbered_words(count: int) -> str:
    """Distinct words w0000 w0001 …, so every chunk's words can be located."""
    return " ".join(f"w{i:04d}" for i in range(count))


async def table_count(session_conn: asyncpg.Connection, table: str) -> int:
    count: int = await session_conn.fetchval(f"SELECT count(*) FROM {table}")
    return count


# --- ingest -----------------------------------------------------------------------------


async def test_ingest_creates_the_missing_video_and_answers_201(
    client: Client, alice: Account
) -> None:
    youtube_video_id = new_youtube_video_id()
    assert (
        await client.get(f"/videos/by-youtube-id/{youtube_video_id}", headers=alice.headers)
    ).status_code == 404

    response = await client.post(
        "/transcripts",
        json={
            "youtube_video_id": youtube_video_id,
            "transcript_text": "Hello and welcome to the show.",
            "source": "youtube_manual",
            "language": "pt-BR",
            "metadata": {"speaker": "ada", "confidence": 0.9},
            "title": "Episode 1",
            "channel_name": "The Show",
        },
        headers=alice.headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == TRANSCRIPT_FIELDS
    assert body["youtube_video_id"] == youtube_video_id
    assert body["transcript_text"] == "Hello and welcome to the show."
    assert body["source"] == "youtube_manual"
    assert body["language"] == "pt-BR"
    assert body["metadata"] == {"speaker": "ada", "confidence": 0.9}
    assert body["chunk_count"] == 1
    assert body["user_id"] == alice.user["id"]
    datetime.fromisoformat(body["created_at"])
    video = await client.get(f"/videos/by-youtube-id/{youtube_video_id}", headers=alice.headers)
    assert video.status_code == 200
    assert video.json()["id"] == body["video_id"]
    assert video.json()["title"] == "Episode 1"
    assert video.json()["channel_name"] == "The Show"
    assert video.json()["status"] == "discovered"


async def test_ingest_defaults_to_youtube_auto_in_english(client: Client, alice: Account) -> None:
    body = await ingest(client, alice.headers, "some text")

    assert body["source"] == "youtube_auto"
    assert body["language"] == "en"
    assert body["metadata"] == {}


async def test_ingest_for_an_existing_video_uses_it(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    channel = await create_channel(client, alice.headers)
    video = await create_video(client, alice.headers, title="mine", channel_id=channel["id"])

    body = await ingest(client, alice.headers, "words", youtube_video_id=video["youtube_video_id"])

    assert body["video_id"] == video["id"]
    assert await table_count(session_conn, "videos") == 1
    fetched = await client.get(f"/videos/{video['id']}", headers=alice.headers)
    assert fetched.json()["title"] == "mine"
    assert fetched.json()["channel_id"] == channel["id"]


async def test_ingest_may_place_the_new_video_in_a_channel(client: Client, alice: Account) -> None:
    channel = await create_channel(client, alice.headers)

    body = await ingest(client, alice.headers, "words", channel_id=channel["id"])

    video = await client.get(f"/videos/{body['video_id']}", headers=alice.headers)
    assert video.json()["channel_id"] == channel["id"]


async def test_other_sources_and_languages_are_separate_transcripts(
    client: Client, alice: Account
) -> None:
    first = await ingest(client, alice.headers, "english auto")
    youtube_video_id = first["youtube_video_id"]

    manual = await client.post(
        "/transcripts",
        json={
            "youtube_video_id": youtube_video_id,
            "transcript_text": "english manual",
            "source": "youtube_manual",
        },
        headers=alice.headers,
    )
    german = await client.post(
        "/transcripts",
        json={"youtube_video_id": youtube_video_id, "transcript_text": "deutsch", "language": "de"},
        headers=alice.headers,
    )

    assert manual.status_code == 201
    assert german.status_code == 201
    ids = {first["id"], manual.json()["id"], german.json()["id"]}
    assert len(ids) == 3
    assert {manual.json()["video_id"], german.json()["video_id"]} == {first["video_id"]}
    listing = await client.get(f"/transcripts?video_id={first['video_id']}", headers=alice.headers)
    assert total(listing) == 3


# --- server-side chunking ---------------------------------------------------------------


async def test_server_chunks_cover_the_text_in_order(client: Client, alice: Account) -> None:
    text = numbered_words(500)

    body = await ingest(client, alice.headers, text, chunk_tokens=50, chunk_overlap_tokens=0)

    chunks = await list_chunks(client, alice.headers, body["id"])
    assert body["chunk_count"] == len(chunks) > 1
    assert [c["chunk_index"] for c in chunks] == list(range(len(chunks)))
    words = [w for c in chunks for w in c["chunk_text"].split()]
    assert words == text.split()
    for chunk in chunks:
        assert set(chunk) == CHUNK_FIELDS
        assert chunk["token_count"] == math.ceil(len(chunk["chunk_text"]) / 4)
        assert chunk["transcript_id"] == body["id"]
        assert chunk["metadata"] == {}


async def test_smaller_chunk_tokens_make_more_chunks(client: Client, alice: Account) -> None:
    text = numbered_words(600)

    large = await ingest(client, alice.headers, text, chunk_tokens=200, chunk_overlap_tokens=0)
    small = await ingest(client, alice.headers, text, chunk_tokens=40, chunk_overlap_tokens=0)

    assert 1 < large["chunk_count"] < small["chunk_count"]
    large_chunks = await list_chunks(client, alice.headers, large["id"])
    small_chunks = await list_chunks(client, alice.headers, small["id"])
    assert max(c["token_count"] for c in small_chunks) < max(c["token_count"] for c in large_chunks)


async def test_consecutive_chunks_overlap_when_overlap_is_set(
    client: Client, alice: Account
) -> None:
    text = numbered_words(400)

    body = await ingest(client, alice.headers, text, chunk_tokens=60, chunk_overlap_tokens=15)

    chunks = [c["chunk_text"].split() for c in await list_chunks(client, alice.headers, body["id"])]
    assert len(chunks) > 2
    for before, after in itertools.pairwise(chunks):
        shared = set(before) & set(after)
        assert shared, (before, after)
        # The overlap is the tail of one chunk and the head of the next.
        assert before[-len(shared) :] == after[: len(shared)]
    assert chunks[0][0] == "w0000"
    assert chunks[-1][-1] == "w0399"


async def test_no_overlap_means_disjoint_chunks(client: Client, alice: Account) -> None:
    body = await ingest(
        client, alice.headers, numbered_words(300), chunk_tokens=30, chunk_overlap_tokens=0
    )

    chunks = [c["chunk_text"].split() for c in await list_chunks(client, alice.headers, body["id"])]
    for before, after in itertools.pairwise(chunks):
        assert not set(before) & set(after)


async def test_more_overlap_makes_more_chunks(client: Client, alice: Account) -> None:
    text = numbered_words(600)

    none = await ingest(client, alice.headers, text, chunk_tokens=60, chunk_overlap_tokens=0)
    half = await ingest(client, alice.headers, text, chunk_tokens=60, chunk_overlap_tokens=29)

    assert half["chunk_count"] > none["chunk_count"]


async def test_server_chunking_defaults_apply_without_options(
    client: Client, alice: Account
) -> None:
    # The default target is 300 tokens, about 200 of these six-character words.
    short = await ingest(client, alice.headers, numbered_words(150))
    long = await ingest(client, alice.headers, numbered_words(2000))

    assert short["chunk_count"] == 1
    assert long["chunk_count"] > 5


async def test_chunks_keep_line_breaks(client: Client, alice: Account) -> None:
    text = "first line\nsecond line\n\nthird paragraph"

    body = await ingest(client, alice.headers, text)

    chunks = await list_chunks(client, alice.headers, body["id"])
    assert [c["chunk_text"] for c in chunks] == [text]


@pytest.mark.parametrize("text", ["  \n\t ", " ", "\r\n"])
async def test_a_whitespace_only_transcript_is_400_and_writes_nothing(
    client: Client, alice: Account, session_conn: asyncpg.Connection, text: str
) -> None:
    response = await client.post(
        "/transcripts",
        json={"youtube_video_id": new_youtube_video_id(), "transcript_text": text},
        headers=alice.headers,
    )

    assert_bad_request(response, "transcript_text")
    assert await session_conn.fetchval("SELECT count(*) FROM videos") == 0
    assert await session_conn.fetchval("SELECT count(*) FROM transcripts") == 0
    assert await session_conn.fetchval("SELECT count(*) FROM chunks") == 0


# --- given chunks -----------------------------------------------------------------------


async def test_given_chunks_are_stored_verbatim(client: Client, alice: Account) -> None:
    given = [
        {"chunk_index": 0, "chunk_text": "  Hello there,\nfriend  ", "metadata": {"t": 0.0}},
        {"chunk_index": 1, "chunk_text": "general kenobi", "token_count": 99},
        {"chunk_index": 7, "chunk_text": "a gap in the indexes", "metadata": {"speaker": "ada"}},
    ]

    body = await ingest(client, alice.headers, "the whole text, not what is chunked", chunks=given)

    chunks = await list_chunks(client, alice.headers, body["id"])
    assert body["chunk_count"] == 3
    assert [(c["chunk_index"], c["chunk_text"], c["metadata"]) for c in chunks] == [
        (0, "  Hello there,\nfriend  ", {"t": 0.0}),
        (1, "general kenobi", {}),
        (7, "a gap in the indexes", {"speaker": "ada"}),
    ]
    assert chunks[0]["token_count"] == math.ceil(len("  Hello there,\nfriend  ") / 4)
    assert chunks[1]["token_count"] == 99


async def test_given_chunks_are_listed_by_index_whatever_the_order_sent(
    client: Client, alice: Account
) -> None:
    given = [{"chunk_index": i, "chunk_text": f"chunk {i}"} for i in (3, 0, 2, 1)]

    body = await ingest(client, alice.headers, "text", chunks=given)

    chunks = await list_chunks(client, alice.headers, body["id"])
    assert [c["chunk_text"] for c in chunks] == ["chunk 0", "chunk 1", "chunk 2", "chunk 3"]


async def test_given_chunks_ignore_chunk_tokens(client: Client, alice: Account) -> None:
    body = await ingest(
        client,
        alice.headers,
        numbered_words(1000),
        chunks=[{"chunk_index": 0, "chunk_text": "just one"}],
        chunk_tokens=10,
        chunk_overlap_tokens=0,
    )

    assert body["chunk_count"] == 1


# --- re-ingest --------------------------------------------------------------------------


async def test_reingest_replaces_text_metadata_and_chunks(client: Client, alice: Account) -> None:
    first = await ingest(
        client,
        alice.headers,
        numbered_words(300),
        metadata={"v": 1},
        chunk_tokens=30,
        chunk_overlap_tokens=0,
    )
    old_chunk_ids = {c["id"] for c in await list_chunks(client, alice.headers, first["id"])}

    response = await client.post(
        "/transcripts",
        json={
            "youtube_video_id": first["youtube_video_id"],
            "transcript_text": "completely new words",
            "metadata": {"v": 2},
        },
        headers=alice.headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == first["id"]
    assert body["video_id"] == first["video_id"]
    assert body["transcript_text"] == "completely new words"
    assert body["metadata"] == {"v": 2}
    assert body["chunk_count"] == 1
    assert datetime.fromisoformat(body["updated_at"]) > datetime.fromisoformat(first["updated_at"])
    chunks = await list_chunks(client, alice.headers, first["id"])
    assert [c["chunk_text"] for c in chunks] == ["completely new words"]
    assert not {c["id"] for c in chunks} & old_chunk_ids
    listing = await client.get(
        f"/transcripts?youtube_video_id={first['youtube_video_id']}", headers=alice.headers
    )
    assert total(listing) == 1


async def test_reingest_with_given_chunks_replaces_server_chunks(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    first = await ingest(
        client, alice.headers, numbered_words(300), chunk_tokens=20, chunk_overlap_tokens=0
    )

    second = await ingest(
        client,
        alice.headers,
        "new",
        youtube_video_id=first["youtube_video_id"],
        chunks=[{"chunk_index": 0, "chunk_text": "given"}],
    )

    assert second["id"] == first["id"]
    assert second["chunk_count"] == 1
    assert await table_count(session_conn, "chunks") == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param(
            {
                "chunks": [
                    {"chunk_index": 0, "chunk_text": "a"},
                    {"chunk_index": 0, "chunk_text": "b"},
                ]
            },
            "chunk_index",
            id="duplicate-chunk-index",
        ),
        pytest.param(
            {
                "chunks": [
                    {"chunk_index": 0, "chunk_text": "ok"},
                    {"chunk_index": 1, "chunk_text": "a\u0000b"},
                ]
            },
            "",
            id="nul-in-a-chunk-fails-in-the-database",
        ),
        pytest.param(
            {"chunk_tokens": 20, "chunk_overlap_tokens": 20}, "chunk_overlap_tokens", id="overlap"
        ),
        pytest.param({"language": "english"}, "language", id="bad-language"),
        pytest.param({"metadata": {"k": "\u0000"}}, "", id="nul-in-metadata"),
    ],
)
async def test_a_failing_reingest_leaves_the_previous_transcript_intact(
    client: Client, alice: Account, change: dict[str, Any], field: str
) -> None:
    first = await ingest(
        client, alice.headers, numbered_words(200), chunk_tokens=30, chunk_overlap_tokens=5
    )
    before = await list_chunks(client, alice.headers, first["id"])

    response = await client.post(
        "/transcripts",
        json={
            "youtube_video_id": first["youtube_video_id"],
            "transcript_text": "replacement that must not land",
            **change,
        },
        headers=alice.headers,
    )

    assert_bad_request(response, field)
    assert await list_chunks(client, alice.headers, first["id"]) == before
    fetched = await client.get(f"/transcripts/{first['id']}", headers=alice.headers)
    assert fetched.json() == first


async def test_concurrent_ingests_of_one_transcript_leave_one_whole_version(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    youtube_video_id = new_youtube_video_id()
    versions = {
        f"v{n}": [{"chunk_index": i, "chunk_text": f"v{n} part {i}"} for i in range(5)]
        for n in range(4)
    }

    answers = await asyncio.gather(
        *(
            client.post(
                "/transcripts",
                json={"youtube_video_id": youtube_video_id, "transcript_text": name, "chunks": c},
                headers=alice.headers,
            )
            for name, c in versions.items()
        )
    )

    assert sorted(r.status_code for r in answers) == [200, 200, 200, 201]
    assert len({r.json()["id"] for r in answers}) == 1
    transcript = await client.get(f"/transcripts/{answers[0].json()['id']}", headers=alice.headers)
    chunks = await list_chunks(client, alice.headers, transcript.json()["id"])
    winner = transcript.json()["transcript_text"]
    assert [c["chunk_text"] for c in chunks] == [c["chunk_text"] for c in versions[winner]]
    assert await table_count(session_conn, "videos") == 1


async def test_a_failing_ingest_does_not_create_the_video(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    youtube_video_id = new_youtube_video_id()

    response = await client.post(
        "/transcripts",
        json={
            "youtube_video_id": youtube_video_id,
            "transcript_text": "text",
            "chunks": [
                {"chunk_index": 0, "chunk_text": "fine"},
                {"chunk_index": 1, "chunk_text": "\u0000x"},
            ],
        },
        headers=alice.headers,
    )

    assert response.status_code == 400, response.text
    missing = await client.get(f"/videos/by-youtube-id/{youtube_video_id}", headers=alice.headers)
    assert missing.status_code == 404
    assert await table_count(session_conn, "videos") == 0
    assert await table_count(session_conn, "transcripts") == 0
    assert await table_count(session_conn, "chunks") == 0


async def test_ingest_into_a_missing_channel_is_404_and_writes_nothing(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    response = await client.post(
        "/transcripts",
        json={
            "youtube_video_id": new_youtube_video_id(),
            "transcript_text": "text",
            "channel_id": random_id(),
        },
        headers=alice.headers,
    )

    assert response.status_code == 404, response.text
    assert "channel_id" in response.json()["detail"]
    assert await table_count(session_conn, "videos") == 0
    assert await table_count(session_conn, "transcripts") == 0


# --- bad input --------------------------------------------------------------------------

YT = "abcdefghijk"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"transcript_text": "x"}, "youtube_video_id", id="missing-youtube-id"),
        pytest.param(
            {"youtube_video_id": "abcdefghij", "transcript_text": "x"},
            "youtube_video_id",
            id="10-chars",
        ),
        pytest.param(
            {"youtube_video_id": "abcdefghijkl", "transcript_text": "x"},
            "youtube_video_id",
            id="12-chars",
        ),
        pytest.param(
            {"youtube_video_id": "abcdefghij!", "transcript_text": "x"},
            "youtube_video_id",
            id="bang",
        ),
        pytest.param({"youtube_video_id": YT}, "transcript_text", id="missing-text"),
        pytest.param(
            {"youtube_video_id": YT, "transcript_text": ""}, "transcript_text", id="empty"
        ),
        pytest.param(
            {"youtube_video_id": YT, "transcript_text": "x", "source": "whisper"},
            "source",
            id="bad-source",
        ),
        pytest.param(
            {"youtube_video_id": YT, "transcript_text": "x", "source": "YOUTUBE_AUTO"},
            "source",
            id="upper-case-source",
        ),
        pytest.param(
            {"youtube_video_id": YT, "transcript_text": "x", "language": "english"},
            "language",
            id="language-word",
        ),
        pytest.param(
            {"youtube_video_id": YT, "transcript_text": "x", "language": "e"},
            "language",
            id="language-one-letter",
        ),
        pytest.param(
            {"youtube_video_id": YT, "transcript_text": "x", "language": "en_US"},
            "language",
            id="language-underscore",
        ),
        pytest.param(
            {"youtube_video_id": YT, "transcript_text": "x", "language": ""},
            "language",
            id="language-empty",
        ),
        pytest.param(
            {"youtube_video_id": YT, "transcript_text": "x", "metadata": ["a"]},
            "metadata",
            id="metadata-list",
        ),
        pytest.param(
            {"youtube_video_id": YT, "transcript_text": "x", "chunks": []},
            "chunks",
            id="empty-chunks",
        ),
        pytest.param(
            {
                "youtube_video_id": YT,
                "transcript_text": "x",
                "chunks": [{"chunk_index": 1, "chunk_text": "a"}] * 2,
            },
            "chunk_index",
            id="duplicate-chunk-index",
        ),
        pytest.param(
            {
                "youtube_video_id": YT,
                "transcript_text": "x",
                "chunks": [{"chunk_index": -1, "chunk_text": "a"}],
            },
            "chunk_index",
            id="negative-chunk-index",
        ),
        pytest.param(
            {
                "youtube_video_id": YT,
                "transcript_text": "x",
                "chunks": [{"chunk_index": 0, "chunk_text": "   "}],
            },
            "chunk_text",
            id="blank-chunk-text",
        ),
        pytest.param(
            {"youtube_video_id": YT, "transcript_text": "x", "chunks": [{"chunk_index": 0}]},
            "chunk_text",
            id="missing-chunk-text",
        ),
        pytest.param(
            {
                "youtube_video_id": YT,
                "transcript_text": "x",
                "chunks": [{"chunk_index": 0, "chunk_text": "a", "token_count": -1}],
            },
            "token_count",
            id="negative-token-count",
        ),
        pytest.param(
            {
                "youtube_video_id": YT,
                "transcript_text": "x",
                "chunks": [{"chunk_index": 0, "chunk_text": "a", "embedding": [0.1]}],
            },
            "embedding",
            id="unknown-chunk-field",
        ),
        pytest.param(
            {"youtube_video_id": YT, "transcript_text": "x", "chunk_tokens": 9},
            "chunk_tokens",
            id="chunk-tokens-too-small",
        ),
        pytest.param(
            {"youtube_video_id": YT, "transcript_text": "x", "chunk_overlap_tokens": -1},
            "chunk_overlap_tokens",
            id="negative-overlap",
        ),
        pytest.param(
            {
                "youtube_video_id": YT,
                "transcript_text": "x",
                "chunk_tokens": 100,
                "chunk_overlap_tokens": 100,
            },
            "chunk_overlap_tokens",
            id="overlap-equal-to-tokens",
        ),
        pytest.param(
            {
                "youtube_video_id": YT,
                "transcript_text": "x",
                "chunk_tokens": 100,
                "chunk_overlap_tokens": 150,
            },
            "chunk_overlap_tokens",
            id="overlap-above-tokens",
        ),
        pytest.param(
            {"youtube_video_id": YT, "transcript_text": "x", "tags": ["y" * 101]},
            "tags",
            id="bad-video-tag",
        ),
        pytest.param(
            {"youtube_video_id": YT, "transcript_text": "x", "speaker": "ada"},
            "speaker",
            id="unknown-field",
        ),
        pytest.param({"youtube_video_id": YT, "transcript_text": "a\u0000b"}, "", id="nul-in-text"),
    ],
)
async def test_ingest_rejects_bad_input_with_400_and_writes_nothing(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    body: dict[str, Any],
    field: str,
) -> None:
    response = await client.post("/transcripts", json=body, headers=alice.headers)

    assert_bad_request(response, field)
    for table in ("videos", "transcripts", "chunks"):
        assert await table_count(session_conn, table) == 0, table


# --- a long transcript ------------------------------------------------------------------


async def test_a_100000_word_transcript_ingests_in_one_call_and_is_searchable(
    client: Client, alice: Account
) -> None:
    vocabulary = ["river", "mountain", "forest", "valley", "ocean", "desert", "meadow", "glacier"]
    words = [vocabulary[i % len(vocabulary)] for i in range(100_000)]
    words[99_950] = "zanzibarite"
    text = " ".join(words)

    response = await client.post(
        "/transcripts",
        json={"youtube_video_id": new_youtube_video_id(), "transcript_text": text},
        headers=alice.headers,
    )

    assert response.status_code == 201, response.text[:500]
    body = response.json()
    assert body["chunk_count"] > 0
    assert len(body["transcript_text"]) == len(text)
    hits = await client.get("/search?q=zanzibarite", headers=alice.headers)
    assert hits.status_code == 200, hits.text
    assert total(hits) >= 1
    assert {h["transcript_id"] for h in hits.json()} == {body["id"]}
    assert all("zanzibarite" in h["chunk_text"] for h in hits.json())
    last = await client.get(
        f"/transcripts/{body['id']}/chunks?offset={body['chunk_count'] - 1}", headers=alice.headers
    )
    assert last.json()[0]["chunk_text"].endswith(words[-1])


# --- list, get, chunks, delete ----------------------------------------------------------


async def test_list_is_newest_first_without_the_text(client: Client, alice: Account) -> None:
    first = await ingest(client, alice.headers, "one two three")
    second = await ingest(client, alice.headers, "four five")

    response = await client.get("/transcripts", headers=alice.headers)

    assert response.status_code == 200
    rows = response.json()
    assert [t["id"] for t in rows] == [second["id"], first["id"]]
    assert total(response) == 2
    assert set(rows[0]) == SUMMARY_FIELDS
    assert rows[0]["char_count"] == len("four five")
    assert rows[1]["char_count"] == len("one two three")
    assert rows[0]["chunk_count"] == 1
    assert rows[0]["youtube_video_id"] == second["youtube_video_id"]


async def test_list_filters_by_video_id_and_youtube_id(client: Client, alice: Account) -> None:
    first = await ingest(client, alice.headers, "one")
    await ingest(
        client, alice.headers, "uno", youtube_video_id=first["youtube_video_id"], language="es"
    )
    other = await ingest(client, alice.headers, "two")

    by_video = await client.get(f"/transcripts?video_id={first['video_id']}", headers=alice.headers)
    by_youtube = await client.get(
        f"/transcripts?youtube_video_id={other['youtube_video_id']}", headers=alice.headers
    )
    nothing = await client.get(f"/transcripts?video_id={random_id()}", headers=alice.headers)

    assert {t["language"] for t in by_video.json()} == {"en", "es"}
    assert total(by_video) == 2
    assert [t["id"] for t in by_youtube.json()] == [other["id"]]
    assert total(by_youtube) == 1
    assert nothing.json() == []
    assert total(nothing) == 0


async def test_list_pages(client: Client, alice: Account) -> None:
    made = [await ingest(client, alice.headers, f"text {i}") for i in range(4)]

    page = await client.get("/transcripts?limit=2&offset=1", headers=alice.headers)

    assert [t["id"] for t in page.json()] == [made[2]["id"], made[1]["id"]]
    assert total(page) == 4


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("video_id=abc", "video_id"),
        ("youtube_video_id=abcdefghijkl", "youtube_video_id"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
    ],
)
async def test_list_rejects_bad_query_with_400(
    client: Client, alice: Account, query: str, param: str
) -> None:
    response = await client.get(f"/transcripts?{query}", headers=alice.headers)

    assert_bad_request(response, param)


async def test_get_one_transcript_with_its_text(client: Client, alice: Account) -> None:
    made = await ingest(client, alice.headers, "the full text", metadata={"k": 1})

    response = await client.get(f"/transcripts/{made['id']}", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == made
    assert response.json()["transcript_text"] == "the full text"


async def test_chunks_page_with_the_total(client: Client, alice: Account) -> None:
    given = [{"chunk_index": i, "chunk_text": f"piece {i}"} for i in range(5)]
    made = await ingest(client, alice.headers, "text", chunks=given)

    page = await client.get(
        f"/transcripts/{made['id']}/chunks?limit=2&offset=2", headers=alice.headers
    )

    assert page.status_code == 200
    assert [c["chunk_text"] for c in page.json()] == ["piece 2", "piece 3"]
    assert total(page) == 5
    bad = await client.get(f"/transcripts/{made['id']}/chunks?limit=0", headers=alice.headers)
    assert_bad_request(bad, "limit")


async def test_delete_removes_the_transcript_and_its_chunks_not_the_video(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    made = await ingest(client, alice.headers, "searchable walrus words")

    response = await client.delete(f"/transcripts/{made['id']}", headers=alice.headers)

    assert response.status_code == 204
    assert (
        await client.get(f"/transcripts/{made['id']}", headers=alice.headers)
    ).status_code == 404
    chunks = await client.get(f"/transcripts/{made['id']}/chunks", headers=alice.headers)
    assert chunks.status_code == 404
    assert await table_count(session_conn, "chunks") == 0
    assert total(await client.get("/search?q=walrus", headers=alice.headers)) == 0
    video = await client.get(f"/videos/{made['video_id']}", headers=alice.headers)
    assert video.status_code == 200
    again = await client.delete(f"/transcripts/{made['id']}", headers=alice.headers)
    assert again.status_code == 404


@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("GET", "/chunks"), ("DELETE", "")])
async def test_a_missing_transcript_is_404_naming_it(
    client: Client, alice: Account, method: str, suffix: str
) -> None:
    missing = random_id()

    response = await client.request(
        method, f"/transcripts/{missing}{suffix}", headers=alice.headers
    )

    assert response.status_code == 404, response.text
    assert missing in response.json()["detail"]


# PATCH /transcripts/{id}


async def test_patch_changes_title_metadata_source_and_language(
    client: Client, alice: Account
) -> None:
    made = await ingest(client, alice.headers, "Words to keep.", metadata={"a": 1})

    response = await client.patch(
        f"/transcripts/{made['id']}",
        json={"title": "Episode 1", "metadata": {"b": 2}, "source": "upload", "language": "de"},
        headers=alice.headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["title"], body["metadata"], body["source"], body["language"]) == (
        "Episode 1",
        {"b": 2},
        "upload",
        "de",
    )
    assert body["transcript_text"] == made["transcript_text"]
    assert body["chunk_count"] == made["chunk_count"]
    assert body["youtube_video_id"] == made["youtube_video_id"]
    fetched = await client.get(f"/transcripts/{made['id']}", headers=alice.headers)
    assert fetched.json() == body


async def test_patch_to_a_source_and_language_the_video_has_is_409(
    client: Client, alice: Account
) -> None:
    first = await ingest(client, alice.headers, "English words.", language="en")
    second = await ingest(
        client,
        alice.headers,
        "Deutsche Worte.",
        youtube_video_id=first["youtube_video_id"],
        language="de",
    )

    response = await client.patch(
        f"/transcripts/{second['id']}", json={"language": "en"}, headers=alice.headers
    )

    assert response.status_code == 409, response.text
    assert "language" in response.json()["detail"]
    fetched = await client.get(f"/transcripts/{second['id']}", headers=alice.headers)
    assert fetched.json()["language"] == "de"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"source": "telepathy"}, "source"),
        ({"metadata": None}, "metadata"),
        ({"transcript_text": "new"}, "transcript_text"),
    ],
)
async def test_patch_rejects_bad_fields(
    client: Client, alice: Account, body: dict[str, Any], field: str
) -> None:
    made = await ingest(client, alice.headers, "Words.")

    response = await client.patch(f"/transcripts/{made['id']}", json=body, headers=alice.headers)

    assert_bad_request(response, field)


async def test_patch_someone_elses_transcript_is_404(
    client: Client, alice: Account, bob: Account
) -> None:
    made = await ingest(client, alice.headers, "Words.")

    response = await client.patch(
        f"/transcripts/{made['id']}", json={"title": "mine"}, headers=bob.headers
    )

    assert response.status_code == 404
    fetched = await client.get(f"/transcripts/{made['id']}", headers=alice.headers)
    assert fetched.json()["title"] is None
