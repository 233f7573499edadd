"""POST /search (lexical, semantic, hybrid), GET /chunks/{id}/similar, vectors at ingest and
by PUT /transcripts/{id}/embeddings, and GET /embedding-models."""

import math
from typing import Any

import asyncpg
import pytest

from service.queries import embeddings
from tests.api.conftest import Account
from tests.api.helpers import Client, Headers, assert_bad_request, create_channel, ingest, total

MODEL = "test-cosine-3"
L2_MODEL = "test-l2-3"


@pytest.fixture(scope="session", autouse=True)
async def _models(session_conn: asyncpg.Connection) -> None:
    """Registered once, as `tubebase embeddings add-model` does."""
    for name, distance in ((MODEL, "cosine"), (L2_MODEL, "l2")):
        if await embeddings.get_model_by_name(session_conn, name=name) is None:
            model = await embeddings.create_model(
                session_conn, name=name, dims=3, distance=distance
            )
            await embeddings.create_index(session_conn, model_id=model.id)


def unit(*values: float) -> list[float]:
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


async def ingest_with_vectors(
    client: Client,
    headers: Headers,
    chunks: list[tuple[str, list[float] | None]],
    model: str = MODEL,
    **fields: Any,
) -> tuple[Any, list[str]]:
    """A transcript whose chunks are `chunks` (text, vector); (transcript, chunk ids)."""
    given = [
        {"chunk_index": i, "chunk_text": text, **({"embedding": v} if v is not None else {})}
        for i, (text, v) in enumerate(chunks)
    ]
    if any(v is not None for _, v in chunks):
        fields["embedding_model"] = model
    text = " ".join(t for t, _ in chunks)
    transcript = await ingest(client, headers, text, chunks=given, **fields)
    listed = await client.get(f"/transcripts/{transcript['id']}/chunks", headers=headers)
    return transcript, [c["id"] for c in listed.json()]


async def post_search(client: Client, headers: Headers, **body: Any) -> Any:
    response = await client.post("/search", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response


def chunk_texts(response: Any) -> list[str]:
    return [hit["chunk_text"] for hit in response.json()]


# --- semantic -----------------------------------------------------------------------------


async def test_semantic_search_returns_the_exact_nearest_chunks_in_order(
    client: Client, alice: Account
) -> None:
    await ingest_with_vectors(
        client,
        alice.headers,
        [
            ("north", unit(0, 1, 0)),
            ("north by east", unit(0.2, 1, 0)),
            ("east", unit(1, 0, 0)),
            ("south", unit(0, -1, 0)),
        ],
    )
    response = await post_search(
        client, alice.headers, mode="semantic", embedding=unit(0.05, 1, 0), model=MODEL, limit=3
    )
    hits = response.json()
    assert [h["chunk_text"] for h in hits] == ["north", "north by east", "east"]
    query = unit(0.05, 1, 0)
    for hit, vector in zip(hits, [unit(0, 1, 0), unit(0.2, 1, 0), unit(1, 0, 0)], strict=True):
        cosine = sum(a * b for a, b in zip(query, vector, strict=True))
        assert hit["semantic_distance"] == pytest.approx(1 - cosine, abs=1e-5)
        assert hit["lexical_rank"] is None
    assert [h["semantic_rank"] for h in hits] == [1, 2, 3]
    assert hits[0]["score"] == pytest.approx(1 / 61)
    assert response.headers["x-next-after"]


async def test_an_l2_model_ranks_by_euclidean_distance(client: Client, alice: Account) -> None:
    await ingest_with_vectors(
        client,
        alice.headers,
        [("near", [1, 1, 1]), ("far", [10, 10, 10]), ("middle", [3, 3, 3])],
        model=L2_MODEL,
    )
    response = await post_search(
        client, alice.headers, mode="semantic", embedding=[0, 0, 0], model=L2_MODEL
    )
    assert chunk_texts(response) == ["near", "middle", "far"]
    assert response.json()[0]["semantic_distance"] == pytest.approx(math.sqrt(3), rel=1e-5)


async def test_semantic_pages_follow_the_cursor_without_repeats(
    client: Client, alice: Account
) -> None:
    await ingest_with_vectors(
        client, alice.headers, [(f"chunk {i}", unit(1, i / 10, 0)) for i in range(7)]
    )
    seen: list[str] = []
    after = None
    for _ in range(5):
        body: dict[str, Any] = {"mode": "semantic", "embedding": unit(1, 0, 0), "model": MODEL}
        body.update(limit=3, **({"after": after} if after else {}))
        response = await post_search(client, alice.headers, **body)
        seen += chunk_texts(response)
        after = response.headers.get("x-next-after")
        if after is None:
            break
    assert seen == [f"chunk {i}" for i in range(7)]
    assert total(response) == 7


# --- hybrid -------------------------------------------------------------------------------


async def test_hybrid_fuses_the_two_rankings_by_reciprocal_rank(
    client: Client, alice: Account
) -> None:
    await ingest_with_vectors(
        client,
        alice.headers,
        [
            ("alpha alpha alpha", unit(0, 0, 1)),  # lexical 1, semantic 3
            ("alpha", unit(0.5, 1, 0)),  # lexical 2, semantic 2
            ("nothing lexical here", unit(0, 1, 0)),  # semantic 1 only
        ],
    )
    response = await post_search(
        client, alice.headers, mode="hybrid", q="alpha", embedding=unit(0, 1, 0), model=MODEL
    )
    hits = {h["chunk_text"]: h for h in response.json()}
    assert hits["alpha alpha alpha"]["lexical_rank"] == 1
    assert hits["alpha"]["lexical_rank"] == 2
    assert hits["nothing lexical here"]["lexical_rank"] is None
    assert [hits[t]["semantic_rank"] for t in ("nothing lexical here", "alpha")] == [1, 2]
    expected = {
        text: sum(1 / (60 + r) for r in (hit["lexical_rank"], hit["semantic_rank"]) if r)
        for text, hit in hits.items()
    }
    for text, hit in hits.items():
        assert hit["score"] == pytest.approx(expected[text])
    # 1/61 + 1/63 edges out 1/62 + 1/62; one ranking alone (1/61) comes last.
    assert chunk_texts(response) == ["alpha alpha alpha", "alpha", "nothing lexical here"]
    assert hits["alpha"]["snippet"] == "<mark>alpha</mark>"


async def test_hybrid_finds_a_synonym_by_meaning_and_an_exact_word_match_with_a_far_vector(
    client: Client, alice: Account
) -> None:
    filler = [(f"unrelated filler talk number {i}", unit(-1, -1, i / 50)) for i in range(30)]
    await ingest_with_vectors(
        client,
        alice.headers,
        [
            *filler,
            ("compile times dropped after caching", unit(1, 0.05, 0)),
            ("speed up my build with this one trick", unit(-1, 0, -1)),
        ],
    )
    response = await post_search(
        client,
        alice.headers,
        mode="hybrid",
        q="speed up my build",
        embedding=unit(1, 0, 0),
        model=MODEL,
        limit=10,
    )
    top = chunk_texts(response)
    assert "compile times dropped after caching" in top  # no shared word, nearest vector
    assert "speed up my build with this one trick" in top  # the words, a far vector


# --- filters and tenancy ------------------------------------------------------------------


async def test_filters_narrow_semantic_hits_to_a_video_channel_or_metadata(
    client: Client, alice: Account
) -> None:
    channel = await create_channel(client, alice.headers)
    first, _ = await ingest_with_vectors(
        client, alice.headers, [("in the channel", unit(1, 0, 0))], channel_id=channel["id"]
    )
    await ingest_with_vectors(client, alice.headers, [("elsewhere", unit(1, 0.01, 0))])
    base = {"mode": "semantic", "embedding": unit(1, 0, 0), "model": MODEL}
    by_video = await post_search(client, alice.headers, **base, video_id=first["video_id"])
    assert chunk_texts(by_video) == ["in the channel"]
    by_channel = await post_search(client, alice.headers, **base, channel_id=channel["id"])
    assert chunk_texts(by_channel) == ["in the channel"]
    everywhere = await post_search(client, alice.headers, **base)
    assert sorted(chunk_texts(everywhere)) == ["elsewhere", "in the channel"]


async def test_a_metadata_filter_applies_to_semantic_hits(client: Client, alice: Account) -> None:
    given = [
        {"chunk_index": 0, "chunk_text": "ada speaks", "metadata": {"speaker": "Ada"},
         "embedding": unit(1, 0, 0)},
        {"chunk_index": 1, "chunk_text": "bo speaks", "metadata": {"speaker": "Bo"},
         "embedding": unit(1, 0, 0)},
    ]  # fmt: skip
    await ingest(client, alice.headers, "x", chunks=given, embedding_model=MODEL)
    response = await post_search(
        client,
        alice.headers,
        mode="semantic",
        embedding=unit(1, 0, 0),
        model=MODEL,
        metadata={"speaker": "Bo"},
    )
    assert chunk_texts(response) == ["bo speaks"]


async def test_another_users_vectors_never_appear_even_as_nearest_neighbours(
    client: Client, alice: Account, bob: Account
) -> None:
    _, bob_ids = await ingest_with_vectors(
        client, bob.headers, [(f"bob secret {i}", unit(1, 0, i / 100)) for i in range(20)]
    )
    _, alice_ids = await ingest_with_vectors(
        client, alice.headers, [("alice far away", unit(-1, 0, 0))]
    )
    for mode in ("semantic", "hybrid"):
        response = await post_search(
            client, alice.headers, mode=mode, q="secret", embedding=unit(1, 0, 0), model=MODEL
        )
        assert chunk_texts(response) == ["alice far away"]
    similar = await client.get(
        f"/chunks/{alice_ids[0]}/similar?model={MODEL}", headers=alice.headers
    )
    assert similar.status_code == 200, similar.text
    assert similar.json() == []
    foreign = await client.get(f"/chunks/{bob_ids[0]}/similar?model={MODEL}", headers=alice.headers)
    assert foreign.status_code == 404


# --- similar ------------------------------------------------------------------------------


async def test_similar_lists_a_chunks_neighbours_nearest_first_without_itself(
    client: Client, alice: Account
) -> None:
    _, ids = await ingest_with_vectors(
        client,
        alice.headers,
        [("me", unit(1, 0, 0)), ("close", unit(1, 0.1, 0)), ("far", unit(-1, 0, 0)),
         ("no vector", None)],
    )  # fmt: skip
    response = await client.get(f"/chunks/{ids[0]}/similar?model={MODEL}", headers=alice.headers)
    assert response.status_code == 200, response.text
    assert [n["chunk_text"] for n in response.json()] == ["close", "far"]
    assert response.json()[0]["distance"] < response.json()[1]["distance"]
    missing = await client.get(f"/chunks/{ids[3]}/similar?model={MODEL}", headers=alice.headers)
    assert missing.status_code == 404
    assert "no vector" in missing.json()["detail"]
    unknown = await client.get(f"/chunks/{ids[0]}/similar?model=nope", headers=alice.headers)
    assert unknown.status_code == 400
    assert "unknown embedding model 'nope'" in unknown.json()["detail"]


# --- storing vectors ----------------------------------------------------------------------


async def test_put_embeddings_sets_every_chunks_vector_in_chunk_order(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    transcript, ids = await ingest_with_vectors(
        client, alice.headers, [("first", None), ("second", None)]
    )
    response = await client.put(
        f"/transcripts/{transcript['id']}/embeddings",
        json={"model": MODEL, "vectors": [unit(1, 0, 0), unit(0, 1, 0)]},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"transcript_id": transcript["id"], "model": MODEL, "vectors": 2}
    hits = await post_search(
        client, alice.headers, mode="semantic", embedding=unit(0, 1, 0), model=MODEL
    )
    assert chunk_texts(hits) == ["second", "first"]
    again = await client.put(
        f"/transcripts/{transcript['id']}/embeddings",
        json={"model": MODEL, "vectors": [unit(0, 1, 0), unit(1, 0, 0)]},
        headers=alice.headers,
    )
    assert again.status_code == 200
    hits = await post_search(
        client, alice.headers, mode="semantic", embedding=unit(0, 1, 0), model=MODEL
    )
    assert chunk_texts(hits) == ["first", "second"]
    stored = await session_conn.fetchval(
        "SELECT count(*) FROM chunk_embeddings WHERE chunk_id = ANY($1::uuid[])", ids
    )
    assert stored == 2


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"model": MODEL, "vectors": [[1, 0, 0]]}, "the transcript has 2 chunks, got 1"),
        ({"model": MODEL, "vectors": [[1, 0, 0], [1, 0]]}, "vectors[1] has 2 dimensions"),
        ({"model": "nope", "vectors": [[1, 0, 0], [1, 0, 0]]}, "unknown embedding model 'nope'"),
        (f'{{"model": "{MODEL}", "vectors": [[1, 0, 0], [1, 1e999, 0]]}}', "Number out of range"),
        (f'{{"model": "{MODEL}", "vectors": [[1e39, 0, 0], [1, 0, 0]]}}', "beyond float4's range"),
    ],
)
async def test_bad_vectors_are_400_naming_the_problem_and_write_nothing(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    body: dict[str, Any] | str,
    problem: str,
) -> None:
    transcript, ids = await ingest_with_vectors(
        client, alice.headers, [("one", unit(1, 0, 0)), ("two", unit(0, 1, 0))]
    )
    url = f"/transcripts/{transcript['id']}/embeddings"
    if isinstance(body, str):  # JSON that json.dumps will not write (1e999 reads as inf)
        headers = {**alice.headers, "Content-Type": "application/json"}
        response = await client.put(url, content=body, headers=headers)
    else:
        response = await client.put(url, json=body, headers=alice.headers)
    assert response.status_code == 400, response.text
    assert problem in response.json()["detail"]
    kept = await session_conn.fetchval(
        "SELECT count(*) FROM chunk_embeddings WHERE chunk_id = ANY($1::uuid[])", ids
    )
    assert kept == 2


async def test_put_embeddings_on_another_users_transcript_is_404(
    client: Client, alice: Account, bob: Account
) -> None:
    transcript, _ = await ingest_with_vectors(client, bob.headers, [("bob's", unit(1, 0, 0))])
    response = await client.put(
        f"/transcripts/{transcript['id']}/embeddings",
        json={"model": MODEL, "vectors": [unit(0, 1, 0)]},
        headers=alice.headers,
    )
    assert response.status_code == 404


async def test_ingest_with_bad_vectors_is_400_and_stores_no_transcript(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    for chunks, extra, problem in [
        ([{"chunk_index": 0, "chunk_text": "a", "embedding": [1, 0]}], {"embedding_model": MODEL},
         "chunks[0].embedding has 2 dimensions"),
        ([{"chunk_index": 0, "chunk_text": "a", "embedding": [1, 0, 0]}], {},
         "needs embedding_model"),
        ([{"chunk_index": 0, "chunk_text": "a", "embedding": [1, 0, 0]}],
         {"embedding_model": "nope"}, "unknown embedding model"),
    ]:  # fmt: skip
        response = await client.post(
            "/transcripts",
            json={"youtube_video_id": "dQw4w9WgXcQ", "transcript_text": "a", "chunks": chunks,
                  **extra},
            headers=alice.headers,
        )  # fmt: skip
        assert response.status_code == 400, response.text
        assert problem in response.json()["detail"]
    assert await session_conn.fetchval("SELECT count(*) FROM transcripts") == 0


async def test_reingest_and_delete_remove_the_vectors(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    transcript, old_ids = await ingest_with_vectors(
        client, alice.headers, [("old text", unit(1, 0, 0))]
    )
    again = await client.post(
        "/transcripts",
        json={"youtube_video_id": transcript["youtube_video_id"], "transcript_text": "new text"},
        headers=alice.headers,
    )
    assert again.status_code == 200, again.text
    count = "SELECT count(*) FROM chunk_embeddings WHERE user_id = $1"
    assert await session_conn.fetchval(count, alice.user["id"]) == 0
    hits = await post_search(
        client, alice.headers, mode="semantic", embedding=unit(1, 0, 0), model=MODEL
    )
    assert hits.json() == []
    other, _ = await ingest_with_vectors(client, alice.headers, [("kept", unit(1, 0, 0))])
    assert await session_conn.fetchval(count, alice.user["id"]) == 1
    deleted = await client.delete(f"/transcripts/{other['id']}", headers=alice.headers)
    assert deleted.status_code == 204
    assert await session_conn.fetchval(count, alice.user["id"]) == 0
    assert old_ids


# --- requests -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mode": "semantic", "model": MODEL}, "embedding"),
        ({"mode": "hybrid", "embedding": [1, 0, 0], "model": MODEL}, "q"),
        ({"mode": "lexical", "q": "x", "embedding": [1, 0, 0], "model": MODEL}, "embedding"),
        ({"mode": "semantic", "embedding": [1, 0], "model": MODEL}, "dimensions"),
        ({"mode": "semantic", "embedding": [1, 0, 0], "model": "nope"}, "nope"),
        ({"mode": "fuzzy", "q": "x"}, "mode"),
        ({"q": "x", "limit": 0}, "limit"),
        ({"mode": "lexical", "q": "x", "after": "garbage"}, "after"),
    ],
)
async def test_bad_search_requests_are_400_naming_the_field(
    client: Client, alice: Account, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/search", json=body, headers=alice.headers)
    assert_bad_request(response, field)


async def test_lexical_mode_ranks_word_matches_only(client: Client, alice: Account) -> None:
    await ingest_with_vectors(
        client,
        alice.headers,
        [("kafka kafka streams", None), ("kafka once", None), ("other", None)],
    )
    response = await post_search(client, alice.headers, mode="lexical", q="kafka")
    hits = response.json()
    assert [h["chunk_text"] for h in hits] == ["kafka kafka streams", "kafka once"]
    assert [h["lexical_rank"] for h in hits] == [1, 2]
    assert all(h["semantic_distance"] is None for h in hits)


async def test_search_needs_a_token(client: Client) -> None:
    response = await client.post("/search", json={"q": "x", "mode": "lexical"})
    assert response.status_code == 401


async def test_embedding_models_lists_names_dimensions_and_distances(
    client: Client, alice: Account
) -> None:
    response = await client.get("/embedding-models", headers=alice.headers)
    assert response.status_code == 200
    listed = {m["name"]: m for m in response.json()}
    assert listed[MODEL]["dims"] == 3
    assert listed[MODEL]["distance"] == "cosine"
    assert listed[L2_MODEL]["distance"] == "l2"


async def test_without_a_mode_the_fields_sent_choose_it(client: Client, alice: Account) -> None:
    await ingest_with_vectors(client, alice.headers, [("kafka here", unit(1, 0, 0))])
    words_only = await post_search(client, alice.headers, q="kafka")
    assert words_only.json()[0]["lexical_rank"] == 1
    assert words_only.json()[0]["semantic_rank"] is None
    vector_only = await post_search(client, alice.headers, embedding=unit(1, 0, 0), model=MODEL)
    assert vector_only.json()[0]["semantic_rank"] == 1
    assert vector_only.json()[0]["lexical_rank"] is None
    both = await post_search(client, alice.headers, q="kafka", embedding=unit(1, 0, 0), model=MODEL)
    assert both.json()[0]["score"] == pytest.approx(2 / 61)
    nothing = await client.post("/search", json={}, headers=alice.headers)
    assert_bad_request(nothing, "q")
