"""Semantic and hybrid retrieval at scale, measured over HTTP.

    python -m tests.perf.bench_semantic [--chunks 200000] [--other-chunks 20000]
                                        [--queries 100] [--ef-search 100]

One user gets `--chunks` chunks and a second `--other-chunks`, 1,000 to a transcript,
through `POST /transcripts` with given chunks (text from tests/perf/corpus.py), then
384-dimension vectors through `PUT /transcripts/{id}/embeddings`: random unit vectors
scattered around 300 random cluster centres (the second user's around centres of
their own), under a cosine model registered with `tubebase embeddings add-model`,
registered with --no-index and indexed by `tubebase embeddings build-index` once
the vectors are in (then 2,000 more load with the index live). It prints the load
rates and the build time,
recall@10 of semantic search against an exact scan (the same query, no index) for
each user, and p50/p95 of semantic and hybrid searches (hybrid with a medium and a
common word of the corpus).

The service runs as `tubebase serve` in a subprocess with TUBEBASE_HNSW_EF_SEARCH set
from --ef-search, on DATABASE_URL's server if set (database tubebase_semantic_bench),
else on an embedded server in a temporary directory. Not part of the test suite: it
asserts nothing, it measures."""

import argparse
import asyncio
import math
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec

from service.db import connect
from tests.perf.bench_retrieval import Service, _account, _bench_database, _percentile
from tests.perf.corpus import COMMON_WORD, MEDIUM_WORD, Corpus

DIMS = 384
CENTRES = 300
SPREAD = 0.35  # noise per dimension relative to a centre's 1/sqrt(DIMS)
MODEL = "bench-minilm-384"
PER_TRANSCRIPT = 1000
CONCURRENT_LOADS = 2

_EXACT = """
SELECT chunk_id FROM chunk_embeddings
WHERE model_id = $1 AND user_id = $2
ORDER BY embedding::vector(384) <=> $3::real[]::vector(384), chunk_id
LIMIT 10
"""


def _unit(values: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


class Space:
    """Cluster centres of one user and vectors scattered around them."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.centres = [_unit([self.rng.gauss(0, 1) for _ in range(DIMS)]) for _ in range(CENTRES)]
        self.noise = SPREAD / math.sqrt(DIMS)

    def vector(self) -> list[float]:
        centre = self.rng.choice(self.centres)
        gauss, noise = self.rng.gauss, self.noise
        # Nine decimals, as embedding APIs print float32 values ("-0.006929283"), not
        # the 17 digits of a double.
        return [round(v, 9) for v in _unit([c + gauss(0, noise) for c in centre])]


async def _load(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    corpus: Corpus,
    space: Space,
    user: str,
    chunks: int,
    salt: int,
) -> float:
    """Ingests the user's transcripts, then their vectors; seconds spent on vectors."""
    transcripts: list[str] = []
    for number in range(math.ceil(chunks / PER_TRANSCRIPT)):
        count = min(PER_TRANSCRIPT, chunks - number * PER_TRANSCRIPT)
        pieces = list(corpus.chunk_texts(count, salt * 100_000 + number))
        response = await client.post(
            "/transcripts",
            headers=headers,
            json={
                "youtube_video_id": f"{user[:3]}{number:08d}"[-11:],
                "source": "upload",
                "transcript_text": "\n".join(text for text, _ in pieces),
                "chunks": [
                    {"chunk_index": i, "chunk_text": text, "metadata": {"speaker": speaker}}
                    for i, (text, speaker) in enumerate(pieces)
                ],
            },
        )
        response.raise_for_status()
        transcripts.append(response.json()["id"])
        print(f"\r{user}: {len(transcripts)} transcripts", end="", flush=True)
    print()
    # Encoded before the clock starts, as a client has its vectors in hand (the
    # standard library's json.dumps alone would take longer than the service).
    queue = []
    for number, transcript_id in enumerate(transcripts):
        count = min(PER_TRANSCRIPT, chunks - number * PER_TRANSCRIPT)
        body = {"model": MODEL, "vectors": [space.vector() for _ in range(count)]}
        queue.append((transcript_id, msgspec.json.encode(body)))
    json_headers = {**headers, "Content-Type": "application/json"}
    started = time.perf_counter()

    async def put_all() -> None:
        while queue:
            transcript_id, body = queue.pop()
            answer = await client.put(
                f"/transcripts/{transcript_id}/embeddings", headers=json_headers, content=body
            )
            answer.raise_for_status()

    await asyncio.gather(*(put_all() for _ in range(CONCURRENT_LOADS)))
    return time.perf_counter() - started


async def _tubebase(database_url: str, *args: str) -> None:
    command = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "service", "embeddings", *args),
        env={**os.environ, "DATABASE_URL": database_url},
    )
    if await command.wait() != 0:
        raise RuntimeError(f"tubebase embeddings {' '.join(args)} failed")


async def _search(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> tuple[float, list[str]]:
    started = time.perf_counter()
    response = await client.post("/search", headers=headers, json=body)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, [hit["chunk_id"] for hit in response.json()]


async def _recall(
    client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    headers: dict[str, str],
    user_id: str,
    model_id: int,
    space: Space,
    queries: int,
) -> tuple[float, list[float]]:
    found, laps = 0, []
    await conn.execute("SET enable_indexscan = off")  # the exact answer: every vector ranked
    for _ in range(queries):
        vector = space.vector()
        lap, ids = await _search(
            client, headers, {"mode": "semantic", "embedding": vector, "model": MODEL, "limit": 10}
        )
        laps.append(lap)
        exact = {str(r["chunk_id"]) for r in await conn.fetch(_EXACT, model_id, user_id, vector)}
        found += len(exact & set(ids))
    await conn.execute("RESET enable_indexscan")
    return found / (10 * queries), laps


async def _recall_by_ef(
    conn: asyncpg.Connection, user_id: str, model_id: int, space: Space, queries: int
) -> dict[int, tuple[float, float]]:
    """recall@10 and p95 ms of nearest_chunks() itself (no HTTP) at several ef_search."""
    vectors = [space.vector() for _ in range(queries)]
    await conn.execute("SET enable_indexscan = off")
    exact = [
        {r["chunk_id"] for r in await conn.fetch(_EXACT, model_id, user_id, v)} for v in vectors
    ]
    await conn.execute("RESET enable_indexscan")
    results = {}
    for ef in (40, 100, 200, 400):
        found, laps = 0, []
        for vector, truth in zip(vectors, exact, strict=True):
            started = time.perf_counter()
            rows = await conn.fetch(
                "SELECT chunk_id FROM nearest_chunks($1, $2, $3, 10, $4)",
                model_id, uuid.UUID(user_id), vector, ef,
            )  # fmt: skip
            laps.append((time.perf_counter() - started) * 1000)
            found += len(truth & {r["chunk_id"] for r in rows})
        results[ef] = (found / (10 * queries), _percentile(laps, 0.95))
    return results


async def run(database_url: str, chunks: int, other_chunks: int, queries: int, ef: int) -> None:
    corpus = Corpus()
    spaces = {"big": Space(1), "other": Space(2)}
    service = Service(database_url, {"TUBEBASE_HNSW_EF_SEARCH": str(ef)})
    try:
        await service.wait_ready()
        await _tubebase(database_url, "add-model", MODEL, "--dims", "384", "--no-index")
        conn = await connect(database_url)
        model_id = await conn.fetchval("SELECT id FROM embedding_models WHERE name = $1", MODEL)
        async with httpx.AsyncClient(base_url=service.base, timeout=600) as client:
            big = await _account(client, "semantic_big")
            other = await _account(client, "semantic_other")
            load_seconds = await _load(client, big, corpus, spaces["big"], "big", chunks, 1)
            load_seconds += await _load(
                client, other, corpus, spaces["other"], "other", other_chunks, 2
            )
            started = time.perf_counter()
            await _tubebase(database_url, "build-index", MODEL)
            build_seconds = time.perf_counter() - started
            live_seconds = await _load(client, other, corpus, spaces["other"], "live", 2000, 3)
            await conn.execute("VACUUM (ANALYZE) chunks, chunk_embeddings, transcripts, videos")
            users = {
                name: await conn.fetchval(
                    "SELECT id::text FROM users WHERE username = $1", f"semantic_{name}"
                )
                for name in ("big", "other")
            }
            # Warm the index into shared buffers, as a running server has it.
            await _recall(client, conn, big, users["big"], model_id, spaces["big"], 20)
            recall_big, semantic_laps = await _recall(
                client, conn, big, users["big"], model_id, spaces["big"], queries
            )
            recall_other, other_laps = await _recall(
                client, conn, other, users["other"], model_id, spaces["other"], queries // 2
            )
            by_ef = await _recall_by_ef(conn, users["big"], model_id, spaces["big"], queries // 2)
            hybrid: dict[str, list[float]] = {}
            for word in (MEDIUM_WORD, COMMON_WORD):
                laps = []
                for _ in range(queries):
                    body = {
                        "mode": "hybrid",
                        "q": word,
                        "embedding": spaces["big"].vector(),
                        "model": MODEL,
                        "limit": 10,
                    }
                    laps.append((await _search(client, big, body))[0])
                hybrid[word] = laps
        await conn.close()
    finally:
        service.stop()

    vectors = chunks + other_chunks
    print(f"\n{chunks:,} + {other_chunks:,} chunks, {DIMS} dimensions, cosine, HNSW m=16")
    print(f"ef_search {ef}, iterative scan relaxed_order; {queries} queries each")
    how = (
        f"PUT /transcripts/{{id}}/embeddings, {PER_TRANSCRIPT} a request,"
        f" {CONCURRENT_LOADS} at a time"
    )
    print(f"vector load over HTTP ({how}), no index yet: {vectors / load_seconds:,.0f} vectors/s")
    print(
        f"then tubebase embeddings build-index: {build_seconds:.1f} s"
        f" (load + build: {vectors / (load_seconds + build_seconds):,.0f} vectors/s)"
    )
    print(f"vector load with the index live: {2000 / live_seconds:,.0f} vectors/s (2,000 vectors)")
    print(f"recall@10 vs exact scan: big user {recall_big:.3f}, other user {recall_other:.3f}")
    print("nearest_chunks() alone (SQL, no HTTP), big user, k=10:")
    for ef, (recall, p95) in by_ef.items():
        print(f"  ef_search {ef:>3}: recall@10 {recall:.3f}, p95 {p95:.1f} ms")
    print(f"{'search':<34} {'p50 ms':>8} {'p95 ms':>8}")
    rows = [
        ("semantic, big user", semantic_laps),
        ("semantic, other user", other_laps),
        *((f"hybrid, q={word}", laps) for word, laps in hybrid.items()),
    ]
    for name, laps in rows:
        print(f"{name:<34} {statistics.median(laps):>8.1f} {_percentile(laps, 0.95):>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=200_000, help="the first user's chunks")
    parser.add_argument("--other-chunks", type=int, default=20_000, help="the second user's")
    parser.add_argument("--queries", type=int, default=100, help="searches per measured shape")
    parser.add_argument("--ef-search", type=int, default=100, help="hnsw.ef_search")
    args = parser.parse_args()
    server = None
    if os.environ.get("DATABASE_URL"):
        url = _bench_database(os.environ["DATABASE_URL"], "tubebase_semantic_bench")
    else:
        from service.tooling.embedded import EmbeddedPostgres

        data_dir = Path(tempfile.mkdtemp(prefix="tubebase-semantic-bench-"))
        server = EmbeddedPostgres(data_dir / "pg", ephemeral=True)
        url = server.ensure_database("tubebase_semantic_bench")
    try:
        asyncio.run(run(url, args.chunks, args.other_chunks, args.queries, args.ef_search))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
