"""Migration 0013's embedding models, chunk vectors and nearest_chunks(), the
sql/embedding_models/, sql/chunk_embeddings/ and sql/retrieval/ queries, and the
checks of service/embeddings.py."""

import math
import random
import uuid

import asyncpg
import pytest

from service.embeddings import (
    ChunksChanged,
    EmbeddingError,
    pack_vector,
    pack_vectors,
    replace_transcript_vectors,
)
from service.queries import embeddings, users
from service.queries.embeddings import EmbeddingModel
from service.queries.generated import retrieval
from tests.sql.library_fixtures import add_chunks, add_transcript, add_video


async def add_model(
    db: asyncpg.Connection, name: str = "m3", dims: int = 3, distance: str = "cosine"
) -> EmbeddingModel:
    model = await embeddings.create_model(db, name=name, dims=dims, distance=distance)
    await embeddings.create_index(db, model_id=model.id)
    return model


async def set_vectors(
    db: asyncpg.Connection,
    user: users.User,
    transcript_id: uuid.UUID,
    model: EmbeddingModel,
    vectors: list[list[float]],
) -> None:
    await replace_transcript_vectors(
        db,
        transcript_id=transcript_id,
        user_id=user.id,
        model=model,
        vectors=pack_vectors(vectors, model.dims, "vectors"),
    )


async def transcript_with_vectors(
    db: asyncpg.Connection,
    user: users.User,
    model: EmbeddingModel,
    vectors: list[list[float]],
    **video_fields: object,
) -> list[uuid.UUID]:
    transcript_id = await add_transcript(db, user, await add_video(db, user, **video_fields))
    chunks = await add_chunks(db, user, transcript_id, [f"chunk {i}" for i in range(len(vectors))])
    await set_vectors(db, user, transcript_id, model, vectors)
    return [c.id for c in chunks]


# 0: through the model's HNSW index whatever the owner's count; 10**6: exactly.
PATHS = pytest.mark.parametrize("exact_below", [0, 10**6], ids=["hnsw", "exact"])


async def nearest(
    db: asyncpg.Connection,
    model: EmbeddingModel,
    user: users.User,
    query: list[float],
    k: int,
    exact_below: int = 25_000,
) -> list[tuple[uuid.UUID, float]]:
    rows = await db.fetch(
        "SELECT chunk_id, distance FROM nearest_chunks($1, $2, $3, $4, 40, exact_below => $5)",
        model.id,
        user.id,
        query,
        k,
        exact_below,
    )
    return [(r["chunk_id"], r["distance"]) for r in rows]


def unit(values: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in values))
    return [v / norm for v in values]


@PATHS
async def test_nearest_chunks_are_the_exact_neighbours_of_a_small_set(
    db: asyncpg.Connection, alice: users.User, exact_below: int
) -> None:
    model = await add_model(db, dims=8)
    rng = random.Random(3)
    vectors = [unit([rng.gauss(0, 1) for _ in range(8)]) for _ in range(60)]
    ids = await transcript_with_vectors(db, alice, model, vectors)
    query = unit([rng.gauss(0, 1) for _ in range(8)])
    exact = sorted(
        range(60), key=lambda i: 1 - sum(a * b for a, b in zip(query, vectors[i], strict=True))
    )[:10]

    found = await nearest(db, model, alice, query, 10, exact_below)

    assert [chunk_id for chunk_id, _ in found] == [ids[i] for i in exact]
    for (_, distance), i in zip(found, exact, strict=True):
        cosine = sum(a * b for a, b in zip(query, vectors[i], strict=True))
        assert distance == pytest.approx(1 - cosine, abs=1e-5)


async def test_the_search_walks_the_models_own_partial_index(
    db: asyncpg.Connection, alice: users.User
) -> None:
    model = await add_model(db)
    other = await add_model(db, "other", dims=2, distance="l2")
    await transcript_with_vectors(db, alice, model, [[1, 0, 0]] * 3)
    # Three vectors: the planner would rank them all (index on model and owner, then a
    # sort) as it does for any owner it knows to be small.
    await db.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off")
    # The statement nearest_chunks() builds for the model, as auto_explain would see it.
    rows = await db.fetch(
        f"EXPLAIN SELECT chunk_id FROM chunk_embeddings WHERE model_id = {model.id}"
        " AND user_id = $1 ORDER BY embedding::vector(3) <=> $2::real[]::vector LIMIT 5",
        alice.id,
        [1.0, 0.0, 0.0],
    )
    plan = "\n".join(r[0] for r in rows)
    assert f"chunk_embeddings_model_{model.id}_hnsw" in plan
    assert f"chunk_embeddings_model_{other.id}_hnsw" not in plan


async def test_a_vector_of_another_size_is_refused_by_the_models_index(
    db: asyncpg.Connection, alice: users.User
) -> None:
    model = await add_model(db)
    transcript_id = await add_transcript(db, alice, await add_video(db, alice))
    (chunk,) = await add_chunks(db, alice, transcript_id, ["x"])
    with pytest.raises(asyncpg.DataError, match="expected 3 dimensions, not 2"):
        await embeddings.create_many(
            db, model_id=model.id, user_id=alice.id, vectors=[(chunk.id, [1.0, 2.0])]
        )


async def test_a_vector_cannot_carry_another_owner_than_its_chunk_in_any_statement(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    model = await add_model(db)
    transcript_id = await add_transcript(db, alice, await add_video(db, alice))
    (chunk,) = await add_chunks(db, alice, transcript_id, ["x"])
    with pytest.raises(asyncpg.ForeignKeyViolationError, match="the chunk's owner"):
        async with db.transaction():
            await embeddings.create_many(
                db, model_id=model.id, user_id=bob.id, vectors=[(chunk.id, [1.0, 0.0, 0.0])]
            )
    await embeddings.create_many(
        db, model_id=model.id, user_id=alice.id, vectors=[(chunk.id, [1.0, 0.0, 0.0])]
    )
    with pytest.raises(asyncpg.ForeignKeyViolationError, match="the chunk's owner"):
        await db.execute("UPDATE chunk_embeddings SET user_id = $1", bob.id)


@PATHS
async def test_nearest_chunks_sees_only_the_owners_vectors(
    db: asyncpg.Connection, alice: users.User, bob: users.User, exact_below: int
) -> None:
    model = await add_model(db)
    bobs = await transcript_with_vectors(db, bob, model, [[1, 0, i / 100] for i in range(30)])
    alices = await transcript_with_vectors(db, alice, model, [[-1, 0, 0]])
    found = await nearest(db, model, alice, [1, 0, 0], 10, exact_below)
    assert [chunk_id for chunk_id, _ in found] == alices
    assert not {chunk_id for chunk_id, _ in found} & set(bobs)


async def test_nearest_chunks_within_a_video_ranks_that_videos_chunks(
    db: asyncpg.Connection, alice: users.User
) -> None:
    model = await add_model(db)
    elsewhere = await transcript_with_vectors(db, alice, model, [[1, 0, 0]] * 5)
    video = await add_video(db, alice)
    transcript_id = await add_transcript(db, alice, video)
    chunks = await add_chunks(db, alice, transcript_id, ["far", "near"])
    await set_vectors(db, alice, transcript_id, model, [[0, 1, 0], [1, 0.1, 0]])
    rows = await db.fetch(
        "SELECT chunk_id FROM nearest_chunks($1, $2, $3, 10, 40, $4)",
        model.id,
        alice.id,
        [1.0, 0.0, 0.0],
        video.id,
    )
    assert [r["chunk_id"] for r in rows] == [chunks[1].id, chunks[0].id]
    assert not {r["chunk_id"] for r in rows} & set(elsewhere)


async def test_nearest_chunks_refuses_a_query_of_another_size(
    db: asyncpg.Connection, alice: users.User
) -> None:
    model = await add_model(db)
    with pytest.raises(asyncpg.DataError, match="takes vectors of 3 dimensions, not 2"):
        async with db.transaction():
            await nearest(db, model, alice, [1, 0], 5)
    assert await nearest(db, model, alice, None, 5) == []  # type: ignore[arg-type]


async def test_hybrid_search_fuses_ranks_in_one_statement(
    db: asyncpg.Connection, alice: users.User
) -> None:
    model = await add_model(db)
    transcript_id = await add_transcript(db, alice, await add_video(db, alice))
    texts = ["kafka kafka kafka", "kafka", "nothing"]
    chunks = await add_chunks(db, alice, transcript_id, texts)
    await set_vectors(db, alice, transcript_id, model, [[0, 0, 1], [0.5, 1, 0], [0, 1, 0]])
    total, rows = await retrieval.search(
        db,
        user_id=alice.id,
        model_id=model.id,
        embedding=[0.0, 1.0, 0.0],
        query="kafka",
        window=10,
        ef_search=40,
        candidates=100,
        rrf_k=60,
        video_id=None,
        channel_id=None,
        metadata=None,
        after_score=None,
        after_id=None,
        limit=10,
        offset=0,
        exact_below=0,
    )
    assert total == 3
    by_id = {row.chunk_id: row for row in rows}
    assert [by_id[c.id].lexical_rank for c in chunks] == [1, 2, None]
    assert [by_id[c.id].semantic_rank for c in chunks] == [3, 2, 1]
    for row in rows:
        ranks = (row.lexical_rank, row.semantic_rank)
        assert row.score == pytest.approx(sum(1 / (60 + r) for r in ranks if r))
    assert [row.score for row in rows] == sorted((row.score for row in rows), reverse=True)


async def test_deleting_a_model_or_a_transcript_removes_their_vectors(
    db: asyncpg.Connection, alice: users.User
) -> None:
    kept = await add_model(db, "kept")
    dropped = await add_model(db, "dropped")
    ids = await transcript_with_vectors(db, alice, kept, [[1, 0, 0], [0, 1, 0]])
    transcript_id = await db.fetchval("SELECT transcript_id FROM chunks WHERE id = $1", ids[0])
    await set_vectors(db, alice, transcript_id, dropped, [[1, 0, 0], [0, 1, 0]])
    assert await embeddings.count_vectors(db, model_id=dropped.id) == 2

    assert await embeddings.delete_model(db, model_id=dropped.id)
    assert await embeddings.count_vectors(db, model_id=dropped.id) == 0
    assert await embeddings.count_vectors(db, model_id=kept.id) == 2

    await db.execute("DELETE FROM transcripts WHERE id = $1", transcript_id)
    assert await embeddings.count_vectors(db, model_id=kept.id) == 0


async def test_model_names_dimensions_and_distances_are_checked(db: asyncpg.Connection) -> None:
    for name, dims, distance in (
        ("bad name", 3, "cosine"),
        ("ok", 0, "cosine"),
        ("ok", 2001, "cosine"),
        ("ok", 3, "manhattan"),
    ):
        with pytest.raises(asyncpg.CheckViolationError):
            async with db.transaction():
                await embeddings.create_model(db, name=name, dims=dims, distance=distance)


@pytest.mark.parametrize(
    ("vector", "problem"),
    [
        ([1.0, 2.0], "has 2 dimensions, the model takes 3"),
        ([1.0, float("nan"), 0.0], "holds nan at position 1: vectors must be finite"),
        ([float("-inf"), 0.0, 0.0], "holds -inf at position 0"),
        ([0.0, 0.0, 1e39], "holds 1e+39 at position 2, beyond float4's range"),
    ],
)
def test_pack_vector_names_what_pgvector_would_refuse(vector: list[float], problem: str) -> None:
    with pytest.raises(EmbeddingError, match=problem.replace("+", r"\+")):
        pack_vector(vector, 3)


def test_pack_vectors_names_the_bad_vector_and_packs_pgvectors_binary_form() -> None:
    assert pack_vector([1.0, -2.0], 2) == b"\x00\x02\x00\x00?\x80\x00\x00\xc0\x00\x00\x00"
    with pytest.raises(EmbeddingError, match=r"^vectors\[1\] has 1 dimensions"):
        pack_vectors([[1.0, 2.0], [1.0]], 2, "vectors")


async def test_vectors_made_for_chunks_that_were_replaced_are_refused(
    db: asyncpg.Connection, alice: users.User
) -> None:
    model = await add_model(db)
    old_ids = await transcript_with_vectors(db, alice, model, [[1, 0, 0]])
    transcript_id = await db.fetchval("SELECT transcript_id FROM chunks WHERE id = $1", old_ids[0])
    await db.execute("DELETE FROM chunks WHERE transcript_id = $1", transcript_id)
    await add_chunks(db, alice, transcript_id, ["re-chunked"])
    with pytest.raises(ChunksChanged, match="re-chunked meanwhile"):
        await replace_transcript_vectors(
            db,
            transcript_id=transcript_id,
            user_id=alice.id,
            model=model,
            vectors=pack_vectors([[0, 1, 0]], 3, "v"),
            made_for=old_ids,
        )
    assert await embeddings.count_vectors(db, model_id=model.id) == 0


async def test_the_lexical_ranking_ranks_at_most_the_candidates(
    db: asyncpg.Connection, alice: users.User
) -> None:
    transcript_id = await add_transcript(db, alice, await add_video(db, alice))
    await add_chunks(db, alice, transcript_id, [f"kafka note {i}" for i in range(7)])
    common = {"user_id": alice.id, "model_id": None, "embedding": None, "query": "kafka"}
    rest = {"window": 100, "ef_search": 40, "rrf_k": 60, "video_id": None, "channel_id": None}
    rest |= {"metadata": None, "after_score": None, "after_id": None, "limit": 50, "offset": 0}
    for candidates, expected in ((3, 3), (100, 7)):
        total, rows = await retrieval.search(
            db, **common, **rest, candidates=candidates, exact_below=0
        )
        assert total == expected
        assert sorted(r.lexical_rank for r in rows) == list(range(1, expected + 1))
