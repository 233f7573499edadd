"""Input that must be refused before it reaches a decoder's or the database's limits:
JSON nested too deeply (400 on any route, /auth/login included) and text too large
for a PostgreSQL tsvector (chunk_text and synthesis summaries stop at 500,000
characters; a text that still passes the 1 MB tsvector limit is 400, not 500)."""

import json
import random
from typing import Any

import asyncpg
import pytest
from httpx import Response

from tests.api.conftest import Account
from tests.api.helpers import (
    Client,
    Headers,
    assert_bad_request,
    create_conversation,
    create_meeting,
    create_processing_session,
    enqueue_job,
    ingest,
    list_chunks,
    new_youtube_channel_id,
    new_youtube_video_id,
    put_synthesis,
)

TOO_DEEP = "JSON is nested too deeply"
DEEP = "[" * 5000 + "]" * 5000
TABLES = [
    "users",
    "sessions",
    "conversations",
    "messages",
    "templates",
    "channels",
    "videos",
    "transcripts",
    "chunks",
    "processing_sessions",
    "processing_jobs",
    "meetings",
    "participants",
    "syntheses",
]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def with_nesting(body: Any, nesting: str = DEEP) -> str:
    """`body` as JSON with each "NESTED" string replaced by the raw `nesting`."""
    return json.dumps(body).replace('"NESTED"', nesting)


async def send_json(
    client: Client, method: str, url: str, text: str, headers: Headers | None = None
) -> Response:
    """A request whose body is `text` exactly: httpx's json= could not build it."""
    return await client.request(
        method,
        url,
        content=text.encode(),
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


async def row_counts(session_conn: asyncpg.Connection) -> dict[str, int]:
    return {t: await session_conn.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}


def assert_too_deep(response: Response) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {"status_code": 400, "detail": TOO_DEEP}


# --- nesting depth ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(with_nesting({"login": "NESTED", "password": "pw"}), id="field"),
        pytest.param(
            with_nesting({"login": "alice", "password": "pw", "extra": "NESTED"}), id="extra"
        ),
        pytest.param(DEEP, id="whole-body"),
    ],
)
async def test_login_with_deeply_nested_json_is_400_without_a_token(
    client: Client, alice: Account, session_conn: asyncpg.Connection, body: str
) -> None:
    before = await row_counts(session_conn)

    response = await send_json(client, "POST", "/auth/login", body)

    assert_too_deep(response)
    assert await row_counts(session_conn) == before
    # The app is none the worse for it.
    login = await client.post("/auth/login", json={"login": "alice", "password": "pw-alice-long"})
    assert login.status_code == 200, login.text


async def test_register_with_deeply_nested_json_is_400_and_creates_no_user(
    client: Client, session_conn: asyncpg.Connection
) -> None:
    body = with_nesting({"username": "deep", "email": "deep@example.com", "password": "NESTED"})

    response = await send_json(client, "POST", "/auth/register", body)

    assert_too_deep(response)
    assert await session_conn.fetchval("SELECT count(*) FROM users") == 0


async def resources(client: Client, headers: Headers) -> dict[str, str]:
    """One of each thing a route below needs in its path."""
    conversation = await create_conversation(client, headers)
    meeting = await create_meeting(client, headers)
    job = await enqueue_job(client, headers)
    await client.post("/jobs/claim", headers=headers)
    session = await create_processing_session(client, headers)
    return {
        "conversation_id": conversation["id"],
        "meeting_id": meeting["id"],
        "job_id": job["id"],
        "session_id": session["id"],
    }


ROUTES: list[tuple[str, str, Any]] = [
    ("POST", "/conversations", {"title": "NESTED"}),
    ("PATCH", "/conversations/{conversation_id}", {"title": "NESTED"}),
    (
        "POST",
        "/conversations/{conversation_id}/messages",
        {"role": "user", "content": "hi", "metadata": {"a": "NESTED"}},
    ),
    ("POST", "/conversations/{conversation_id}/messages/bulk", ["NESTED"]),
    (
        "POST",
        "/templates",
        {
            "template_type": "blog",
            "template_name": "n",
            "template_content": "c",
            "variables": "NESTED",
        },
    ),
    ("POST", "/channels", {"youtube_channel_id": "CHANNEL", "name": "n", "metadata": "NESTED"}),
    ("POST", "/videos", {"youtube_video_id": "VIDEO", "tags": "NESTED"}),
    (
        "POST",
        "/transcripts",
        {"youtube_video_id": "VIDEO", "transcript_text": "t", "metadata": "NESTED"},
    ),
    ("POST", "/processing-sessions", {"name": "n", "configuration": {"a": "NESTED"}}),
    ("PATCH", "/processing-sessions/{session_id}", {"configuration": {"a": "NESTED"}}),
    ("POST", "/jobs", {"job_type": "t", "payload": {"a": "NESTED"}}),
    ("POST", "/jobs/{job_id}/complete", {"result": "NESTED"}),
    ("POST", "/meetings", {"title": "t", "participants": "NESTED"}),
    ("PATCH", "/meetings/{meeting_id}", {"title": "NESTED"}),
    ("POST", "/meetings/{meeting_id}/participants", {"name": "NESTED"}),
    ("PUT", "/meetings/{meeting_id}/synthesis", {"summary": "s", "key_decisions": "NESTED"}),
    ("POST", "/meetings/{meeting_id}/synthesis", {"summary": "s", "action_items": "NESTED"}),
    ("PATCH", "/meetings/{meeting_id}/synthesis", {"open_questions": "NESTED"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
@pytest.mark.parametrize("where", ["field", "whole-body"])
async def test_deeply_nested_json_is_400_on_every_route_and_writes_nothing(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    method: str,
    path: str,
    body: Any,
    where: str,
) -> None:
    url = path.format(**await resources(client, alice.headers))
    text = with_nesting(body) if where == "field" else DEEP
    text = text.replace("CHANNEL", new_youtube_channel_id()).replace(
        "VIDEO", new_youtube_video_id()
    )
    before = await row_counts(session_conn)
    job_before = await session_conn.fetchrow("SELECT status, result FROM processing_jobs")

    response = await send_json(client, method, url, text, alice.headers)

    assert_too_deep(response)
    assert await row_counts(session_conn) == before
    assert await session_conn.fetchrow("SELECT status, result FROM processing_jobs") == job_before


async def test_a_deeply_nested_body_without_a_token_is_401_first(client: Client) -> None:
    response = await send_json(client, "POST", "/conversations", DEEP)

    assert response.status_code == 401, response.text


async def test_nesting_well_below_the_limit_is_stored_as_sent(
    client: Client, alice: Account
) -> None:
    expected: list[Any] = []
    for _ in range(199):
        expected = [expected]
    text = with_nesting({"job_type": "t", "payload": {"a": "NESTED"}}, nested(200))

    response = await send_json(client, "POST", "/jobs", text, alice.headers)

    assert response.status_code == 201, response.text
    assert response.json()["payload"] == {"a": expected}
    fetched = await client.get(f"/jobs/{response.json()['id']}", headers=alice.headers)
    assert fetched.json()["payload"] == {"a": expected}


@pytest.mark.parametrize(
    "metadata",
    [
        pytest.param('{"a":' * 1500 + "1" + "}" * 1500, id="objects"),
        pytest.param(DEEP, id="lists"),
        pytest.param(with_nesting({"a": "NESTED"}, nested(2000)), id="list-in-object"),
    ],
)
async def test_search_with_deeply_nested_metadata_is_400(
    client: Client, alice: Account, metadata: str
) -> None:
    response = await client.get(
        "/search", params={"q": "x", "metadata": metadata}, headers=alice.headers
    )

    assert_bad_request(response, "metadata")


async def test_search_with_shallow_metadata_still_filters(client: Client, alice: Account) -> None:
    transcript = await ingest(
        client,
        alice.headers,
        "t",
        chunks=[
            {"chunk_index": 0, "chunk_text": "zeppelin one", "metadata": {"s": {"n": [1]}}},
            {"chunk_index": 1, "chunk_text": "zeppelin two", "metadata": {"s": {"n": [2]}}},
        ],
    )

    response = await client.get(
        "/search", params={"q": "zeppelin", "metadata": '{"s": {"n": [2]}}'}, headers=alice.headers
    )

    assert response.status_code == 200, response.text
    assert [h["chunk_text"] for h in response.json()] == ["zeppelin two"]
    assert transcript["chunk_count"] == 2


# --- text too large for a tsvector ------------------------------------------------------


def varied_words(characters: int, seed: int = 7) -> str:
    """Latin words of 3 to 12 letters, mostly distinct: exactly `characters` long."""
    rng = random.Random(seed)
    words: list[str] = []
    length = 0
    while length < characters:
        word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 12)))
        words.append(word)
        length += len(word) + 1
    text = " ".join(words)[:characters]
    return text[:-1] + "z" if text.endswith(" ") else text


def tsvector_buster(words: int = 133_000) -> str:
    """Distinct two-character CJK words: under 400,000 characters, but their lexemes
    (3 bytes a character) and positions need more than the 1 MB a tsvector holds."""
    return " ".join(chr(0x4E00 + i // 20_000) + chr(0x4E00 + i % 20_000) for i in range(words))


def assert_too_large(response: Response) -> None:
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    # In tubebase's words: PostgreSQL's own text (and its limits' internals) stay inside.
    assert detail == "a value is too large to store or index (text or JSON)", detail


async def test_a_chunk_of_500001_characters_is_400_and_writes_nothing(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    response = await client.post(
        "/transcripts",
        json={
            "youtube_video_id": new_youtube_video_id(),
            "transcript_text": "the whole text",
            "chunks": [{"chunk_index": 0, "chunk_text": "w" * 500_001}],
        },
        headers=alice.headers,
    )

    assert_bad_request(response, "chunk_text")
    counts = await row_counts(session_conn)
    assert (counts["videos"], counts["transcripts"], counts["chunks"]) == (0, 0, 0)


async def test_a_chunk_of_500000_characters_is_within_the_limit(
    client: Client, alice: Account
) -> None:
    text = varied_words(500_000)
    assert len(text) == 500_000

    body = await ingest(client, alice.headers, "t", chunks=[{"chunk_index": 0, "chunk_text": text}])

    assert body["chunk_count"] == 1
    [chunk] = await list_chunks(client, alice.headers, body["id"])
    assert chunk["chunk_text"] == text


async def test_a_chunk_of_400000_characters_of_varied_words_is_stored_and_found(
    client: Client, alice: Account
) -> None:
    text = varied_words(400_000)
    assert len(text) == 400_000
    needle = text.split()[12_345]

    body = await ingest(client, alice.headers, "t", chunks=[{"chunk_index": 0, "chunk_text": text}])

    assert body["chunk_count"] == 1
    [chunk] = await list_chunks(client, alice.headers, body["id"])
    assert chunk["chunk_text"] == text
    hits = await client.get("/search", params={"q": needle}, headers=alice.headers)
    assert hits.status_code == 200, hits.text
    assert [h["transcript_id"] for h in hits.json()] == [body["id"]]


@pytest.mark.parametrize("how", ["given-chunk", "server-chunking"])
async def test_a_chunk_too_large_for_a_tsvector_is_400_not_500(
    client: Client, alice: Account, session_conn: asyncpg.Connection, how: str
) -> None:
    text = tsvector_buster()
    assert len(text) < 500_000
    body: dict[str, Any] = {"youtube_video_id": new_youtube_video_id()}
    if how == "given-chunk":
        body |= {"transcript_text": "t", "chunks": [{"chunk_index": 0, "chunk_text": text}]}
    else:  # one chunk of 100,000 tokens: about 400,000 characters
        body |= {"transcript_text": text, "chunk_tokens": 100_000}

    response = await client.post("/transcripts", json=body, headers=alice.headers)

    assert_too_large(response)
    counts = await row_counts(session_conn)
    assert (counts["videos"], counts["transcripts"], counts["chunks"]) == (0, 0, 0)


@pytest.mark.parametrize("method", ["PUT", "POST"])
async def test_a_summary_too_large_for_a_tsvector_is_400_not_500(
    client: Client, alice: Account, session_conn: asyncpg.Connection, method: str
) -> None:
    meeting = await create_meeting(client, alice.headers)

    response = await client.request(
        method,
        f"/meetings/{meeting['id']}/synthesis",
        json={"summary": tsvector_buster()},
        headers=alice.headers,
    )

    assert_too_large(response)
    assert await session_conn.fetchval("SELECT count(*) FROM syntheses") == 0


async def test_patching_a_summary_too_large_for_a_tsvector_is_400_and_keeps_the_old_one(
    client: Client, alice: Account
) -> None:
    meeting = await create_meeting(client, alice.headers)
    original = await put_synthesis(client, alice.headers, meeting["id"], "The original.")

    response = await client.patch(
        f"/meetings/{meeting['id']}/synthesis",
        json={"summary": tsvector_buster()},
        headers=alice.headers,
    )

    assert_too_large(response)
    fetched = await client.get(f"/meetings/{meeting['id']}/synthesis", headers=alice.headers)
    assert fetched.json() == original


async def test_a_summary_of_500001_characters_is_400_and_one_of_400000_is_stored(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    meeting = await create_meeting(client, alice.headers)
    url = f"/meetings/{meeting['id']}/synthesis"

    too_long = await client.put(url, json={"summary": "w" * 500_001}, headers=alice.headers)
    assert_bad_request(too_long, "summary")
    assert await session_conn.fetchval("SELECT count(*) FROM syntheses") == 0

    summary = varied_words(400_000)
    stored = await put_synthesis(client, alice.headers, meeting["id"], summary)
    assert stored["summary"] == summary
    assert stored["summary_word_count"] == len(summary.split())
