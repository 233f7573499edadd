"""Retrieval at scale, measured over HTTP: search, deep pages and ingest.

    python -m tests.perf.bench_retrieval [--scale 1.0] [--data-dir DIR] [--searches 40]
                                         [--ingest-rounds 30]

Builds the corpus through `POST /transcripts` with given chunks: one user with 1,000
videos (in 20 channels) of 1,000 chunks each, ~165 words a chunk from a Zipf
vocabulary with a common (30%), a medium (1%) and a rare (1 in 10,000) marker word,
and a second user with 100 videos of their own (`--scale` multiplies the videos).
Then it prints p50/p95 of each search shape, of a message page deep in a
100,000-message thread next to the first page, and ingest chunks/s over HTTP next to
a bare binary COPY of the same rows into the same table, alternating in one run.

The service runs as `tubebase serve` in a subprocess, on DATABASE_URL's server if set
(database tubebase_bench), else on an embedded server: in a temporary directory, or
in --data-dir, where the corpus is kept and reused by the next run (about 10 minutes
to build at scale 1). Not part of the test suite: it asserts nothing, it measures."""

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import msgspec

from service.api.conversations import MESSAGES
from service.db import connect
from tests.net import free_port
from tests.perf.corpus import COMMON_WORD, MEDIUM_WORD, RARE_WORD, SPEAKERS, Corpus

PASSWORD = "bench-password-long"
CHUNKS_PER_VIDEO = 1000
THREAD_MESSAGES = 100_000


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Service:
    """`tubebase serve` on a free port, against one database."""

    def __init__(self, database_url: str, settings: dict[str, str] | None = None) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TUBEBASE_LOG_LEVEL": "WARNING",
            "TUBEBASE_POOL_MAX_SIZE": "10",
            **(settings or {}),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(self.port)], env=env
        )
        self.base = f"http://127.0.0.1:{self.port}"

    async def wait_ready(self) -> None:
        async with httpx.AsyncClient() as client:
            for _ in range(600):
                try:
                    if (await client.get(f"{self.base}/health/ready")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if self.process.poll() is not None:
                    raise RuntimeError("tubebase serve exited")
                await asyncio.sleep(0.1)
        raise RuntimeError("tubebase serve did not become ready")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


async def _account(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    await client.post(
        "/auth/register",
        json={"username": name, "email": f"{name}@example.com", "password": PASSWORD},
    )
    login = await client.post("/auth/login", json={"login": name, "password": PASSWORD})
    login.raise_for_status()
    return {"Authorization": f"Bearer {login.json()['token']}"}


def _youtube_id(prefix: str, n: int) -> str:
    return f"{prefix}{n:09d}"[-11:]


def _transcript_body(
    corpus: Corpus, user: str, video: int, salt: int, channel_id: str | None
) -> dict[str, Any]:
    pieces = list(corpus.chunk_texts(CHUNKS_PER_VIDEO, salt))
    return {
        "youtube_video_id": _youtube_id(user[:2], video),
        "channel_id": channel_id,
        "title": f"{user} video {video}",
        "source": "upload",
        "transcript_text": "\n".join(text for text, _ in pieces),
        "chunks": [
            {"chunk_index": i, "chunk_text": text, "metadata": {"speaker": speaker}}
            for i, (text, speaker) in enumerate(pieces)
        ],
    }


async def _load_user(
    client: httpx.AsyncClient,
    corpus: Corpus,
    headers: dict[str, str],
    user: str,
    videos: int,
    channels: int,
    salt: int,
) -> None:
    channel_ids = []
    for c in range(channels):
        made = await client.post(
            "/channels",
            headers=headers,
            json={"youtube_channel_id": f"UC{salt:02d}{c:020d}", "name": f"{user} channel {c}"},
        )
        made.raise_for_status()
        channel_ids.append(made.json()["id"])
    started = time.perf_counter()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for v in range(videos):
        queue.put_nowait(v)

    async def worker() -> None:
        while not queue.empty():
            v = queue.get_nowait()
            body = await asyncio.to_thread(
                _transcript_body, corpus, user, v, salt * 10_000_000 + v * CHUNKS_PER_VIDEO,
                channel_ids[v % channels],
            )  # fmt: skip
            answer = await client.post("/transcripts", headers=headers, json=body, timeout=300)
            answer.raise_for_status()
            done = videos - queue.qsize()
            if done % 50 == 0:
                rate = done * CHUNKS_PER_VIDEO / (time.perf_counter() - started)
                print(f"  {user}: {done}/{videos} videos, {rate:,.0f} chunks/s", flush=True)

    await asyncio.gather(worker(), worker())


async def _corpus_ready(conn: asyncpg.Connection, user: str, videos: int) -> bool:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM transcripts t JOIN users u ON u.id = t.user_id "
        "WHERE u.username = $1 AND t.chunk_count = $2",
        user,
        CHUNKS_PER_VIDEO,
    )
    return count >= videos


async def _ingest_vs_copy(
    client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    corpus: Corpus,
    headers: dict[str, str],
    rounds: int,
) -> dict[str, list[float]]:
    """Seconds per transcript: HTTP ingest, and a bare binary COPY of the same rows
    into the same table (for a transcript made by SQL), one of each per round, the
    side that goes first alternating (a GIN pending-list flush lands on whichever
    insert fills the list: sometimes 1 s, so one side must not always inherit the
    other's); rows are removed again."""
    user_id = await conn.fetchval("SELECT id FROM users WHERE username = 'bench_ingest'")
    laps: dict[str, list[float]] = {"http": [], "copy": []}

    async def http(r: int, body: dict[str, Any]) -> None:
        encoded = msgspec.json.encode(body)  # the client's own work stays out of the timing
        started = time.perf_counter()
        answer = await client.post(
            "/transcripts",
            headers={**headers, "content-type": "application/json"},
            content=encoded,
            timeout=300,
        )
        laps["http"].append(time.perf_counter() - started)
        answer.raise_for_status()

    async def copy(r: int, body: dict[str, Any]) -> None:
        video_id = await conn.fetchval(
            "INSERT INTO videos (user_id, youtube_video_id) VALUES ($1, $2) RETURNING id",
            user_id,
            _youtube_id("cp", r),
        )
        transcript_id = await conn.fetchval(
            "INSERT INTO transcripts (user_id, video_id, source, transcript_text)"
            " VALUES ($1, $2, 'upload', $3) RETURNING id",
            user_id,
            video_id,
            body["transcript_text"],
        )
        records = [
            (user_id, transcript_id, c["chunk_index"], c["chunk_text"], 0, c["metadata"])
            for c in body["chunks"]
        ]
        started = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table(
                "chunks",
                records=records,
                columns=["user_id", "transcript_id", "chunk_index", "chunk_text",
                         "token_count", "metadata"],
            )  # fmt: skip
        laps["copy"].append(time.perf_counter() - started)

    for r in range(rounds):
        body = _transcript_body(corpus, "bench_ingest", r, 900_000_000 + r, None)
        for side in (http, copy) if r % 2 == 0 else (copy, http):
            await side(r, body)
    await conn.execute("DELETE FROM videos WHERE user_id = $1", user_id)
    return laps


async def _timed(call: Callable[[], Awaitable[httpx.Response]], times: int) -> list[float]:
    laps = []
    for _ in range(times):
        started = time.perf_counter()
        answer = await call()
        laps.append((time.perf_counter() - started) * 1000)
        answer.raise_for_status()
    return laps


async def _searches(
    client: httpx.AsyncClient,
    conn: asyncpg.Connection,
    big: dict[str, str],
    small: dict[str, str],
    times: int,
) -> dict[str, list[float]]:
    rng = random.Random(3)
    big_id = await conn.fetchval("SELECT id FROM users WHERE username = 'bench_big'")
    video_ids = [
        str(r[0]) for r in await conn.fetch("SELECT id FROM videos WHERE user_id = $1", big_id)
    ]
    channel_ids = [
        str(r[0]) for r in await conn.fetch("SELECT id FROM channels WHERE user_id = $1", big_id)
    ]

    def search(headers: dict[str, str], q: str, **extra: Callable[[], str]) -> Any:
        async def call() -> httpx.Response:
            params = {"q": q, **{k: make() for k, make in extra.items()}}
            return await client.get("/search", params=params, headers=headers)

        return call

    def video() -> str:
        return rng.choice(video_ids)

    def channel() -> str:
        return rng.choice(channel_ids)

    def speaker() -> str:
        return json.dumps({"speaker": f"s{rng.randrange(SPEAKERS)}"})

    shapes = {
        "rare": search(big, RARE_WORD),
        "medium": search(big, MEDIUM_WORD),
        "common": search(big, COMMON_WORD),
        "rare + video_id": search(big, RARE_WORD, video_id=video),
        "common + video_id": search(big, COMMON_WORD, video_id=video),
        "rare + channel_id": search(big, RARE_WORD, channel_id=channel),
        "medium + channel_id": search(big, MEDIUM_WORD, channel_id=channel),
        "common + channel_id": search(big, COMMON_WORD, channel_id=channel),
        "rare + metadata": search(big, RARE_WORD, metadata=speaker),
        "common + metadata": search(big, COMMON_WORD, metadata=speaker),
        "second user: rare": search(small, RARE_WORD),
        "second user: common": search(small, COMMON_WORD),
    }
    for call in shapes.values():  # warm shared buffers and statements
        await _timed(call, 10)
    return {name: await _timed(call, times) for name, call in shapes.items()}


async def _deep_pages(
    client: httpx.AsyncClient, conn: asyncpg.Connection, headers: dict[str, str], times: int
) -> dict[str, list[float]]:
    chat = await conn.fetchval(
        "SELECT c.id FROM conversations c JOIN users u ON u.id = c.user_id"
        " WHERE u.username = 'bench_big' AND c.title = 'long thread'"
    )
    if chat is None:
        made = await client.post("/conversations", headers=headers, json={"title": "long thread"})
        chat = made.json()["id"]
        batch = [{"role": "user", "content": f"message {i} " * 10} for i in range(10_000)]
        for _ in range(THREAD_MESSAGES // len(batch)):
            answer = await client.post(
                f"/conversations/{chat}/messages/bulk", headers=headers, json=batch, timeout=300
            )
            answer.raise_for_status()
    depth = THREAD_MESSAGES - 1_000
    key = await conn.fetchrow(
        "SELECT created_at, id FROM messages WHERE conversation_id = $1"
        " ORDER BY created_at, id OFFSET $2 LIMIT 1",
        uuid.UUID(str(chat)),
        depth - 1,
    )
    cursor = MESSAGES.encode((key["created_at"], key["id"]))
    path = f"/conversations/{chat}/messages"

    def page(**params: Any) -> Callable[[], Awaitable[httpx.Response]]:
        return lambda: client.get(path, params={"limit": 50, **params}, headers=headers)

    cases = {
        "first page": page(),
        f"cursor page at {depth:,}": page(after=cursor),
        f"offset page at {depth:,}": page(offset=depth),
    }
    for call in cases.values():
        await _timed(call, 3)
    return {name: await _timed(call, times) for name, call in cases.items()}


async def run(database_url: str, scale: float, times: int, ingest_rounds: int) -> None:
    big_videos, small_videos = round(1000 * scale), round(100 * scale)
    corpus = Corpus()
    service = Service(database_url)
    try:
        await service.wait_ready()
        conn = await connect(database_url)
        async with httpx.AsyncClient(base_url=service.base, timeout=60) as client:
            big = await _account(client, "bench_big")
            small = await _account(client, "bench_small")
            ingest = await _account(client, "bench_ingest")
            started = time.perf_counter()
            if not await _corpus_ready(conn, "bench_big", big_videos):
                print(f"loading {big_videos:,} + {small_videos:,} videos over HTTP ...")
                await _load_user(client, corpus, big, "bench_big", big_videos, 20, 1)
                await _load_user(client, corpus, small, "bench_small", small_videos, 5, 2)
                chunks = (big_videos + small_videos) * CHUNKS_PER_VIDEO
                elapsed = time.perf_counter() - started
                print(f"loaded {chunks:,} chunks in {elapsed:,.0f} s ({chunks / elapsed:,.0f}/s)")
            ingest_laps = await _ingest_vs_copy(client, conn, corpus, ingest, ingest_rounds)
            # Settle what autovacuum would do later anyway (it would compete with the
            # measured searches for the two cores): statistics, visibility, GIN
            # pending list.
            await conn.execute("VACUUM (ANALYZE) chunks, transcripts, videos, messages")
            # A restarted server starts with empty shared buffers; read the chunks
            # into them as a server that has been running has them (an index scan:
            # a sequential scan would pass through a small ring buffer only).
            await conn.execute("SET enable_seqscan = off; SET enable_bitmapscan = off")
            await conn.fetchval(
                "SELECT count(*) FROM chunks WHERE chunk_index >= 0 AND length(chunk_text) > 0"
            )
            await conn.execute("RESET enable_seqscan; RESET enable_bitmapscan")
            analyzed = await conn.fetchval(
                "SELECT greatest(last_analyze, last_autoanalyze) FROM pg_stat_user_tables"
                " WHERE relname = 'chunks'"
            )
            total_chunks = await conn.fetchval("SELECT count(*) FROM chunks")
            searches = await _searches(client, conn, big, small, times)
            pages = await _deep_pages(client, conn, big, times)
        await conn.close()
    finally:
        service.stop()

    print(f"\n{total_chunks:,} chunks; statistics of chunks from {analyzed}; {times} calls each")
    print(f"{'search shape':<24} {'p50 ms':>8} {'p95 ms':>8}")
    for name, laps in searches.items():
        print(f"{name:<24} {statistics.median(laps):>8.1f} {_percentile(laps, 0.95):>8.1f}")
    print(f"\n{'messages, limit 50':<24} {'p50 ms':>8} {'p95 ms':>8}")
    first = statistics.median(next(iter(pages.values())))
    for name, laps in pages.items():
        p50 = statistics.median(laps)
        print(f"{name:<24} {p50:>8.1f} {_percentile(laps, 0.95):>8.1f}   {p50 / first:.2f}x first")
    http, copy = (ingest_rounds * CHUNKS_PER_VIDEO / sum(ingest_laps[k]) for k in ("http", "copy"))
    median_http, median_copy = (statistics.median(ingest_laps[k]) for k in ("http", "copy"))
    rounds_line = f"{ingest_rounds} rounds of one each way"
    print(f"\ningest of {CHUNKS_PER_VIDEO:,}-chunk transcripts, {rounds_line}:")
    print(f"{'':<38} {'chunks/s':>9} {'median ms':>10} {'max ms':>8}")
    for name, rate, key in (
        ("POST /transcripts with given chunks", http, "http"),
        ("bare binary COPY, same rows, table", copy, "copy"),
    ):
        laps = ingest_laps[key]
        print(
            f"{name:<38} {rate:>9,.0f} {statistics.median(laps) * 1000:>10,.0f}"
            f" {max(laps) * 1000:>8,.0f}"
        )
    print(f"ratio, all rounds' time                {http / copy:>9.2f}x")
    print(f"ratio, median round                    {median_copy / median_http:>9.2f}x")


def _bench_database(server_url: str, name: str = "tubebase_bench") -> str:
    """A database `name` beside DATABASE_URL's, created when missing."""
    import psycopg
    from psycopg import sql

    conn = psycopg.connect(server_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
    return urlsplit(server_url)._replace(path=f"/{name}").geturl()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies the videos")
    parser.add_argument("--data-dir", type=Path, help="keep the embedded server and corpus here")
    parser.add_argument("--searches", type=int, default=40, help="calls per measured shape")
    parser.add_argument(
        "--ingest-rounds", type=int, default=30, help="transcripts ingested each way"
    )
    args = parser.parse_args()
    server = None
    if os.environ.get("DATABASE_URL"):
        url = _bench_database(os.environ["DATABASE_URL"])
    else:
        from service.tooling.embedded import EmbeddedPostgres

        keep = args.data_dir is not None
        data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="tubebase-bench-"))
        data_dir.mkdir(parents=True, exist_ok=True)
        server = EmbeddedPostgres(data_dir / "pg", ephemeral=not keep)
        url = server.ensure_database("tubebase_bench")
    try:
        asyncio.run(run(url, args.scale, args.searches, args.ingest_rounds))
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
