"""Query layer vs bare asyncpg, same SQL, same connection, same data.

    python -m tests.perf.bench_queries [--rounds 7] [--calls 2000]

Uses DATABASE_URL's server if set (creating a scratch database there), else an
embedded PostgreSQL in a temporary directory. Prints ops/s for both and the ratio;
the layer (Struct conversion included) is meant to keep >= 90% of bare throughput.
Both sides decode JSONB with the same msgspec codec, so the ratio measures what the
layer adds: the typed function call and building Structs from rows."""

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from service.db import connect, sql
from service.queries import conversations, messages, users
from service.queries.messages import NewMessage
from service.tooling import migrations
from service.tooling.scratch import scratch_database

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"


async def measure(call: Callable[[], Awaitable[object]], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await call()
    return calls / (time.perf_counter() - started)


async def run(url: str, rounds: int, calls: int) -> None:
    conn = await connect(url)
    user = await users.create(conn, username="bench", email="bench@example.com", password_hash=HASH)
    chat = await conversations.create(conn, user_id=user.id, title="bench")
    await messages.create_many(
        conn,
        conversation_id=chat.id,
        user_id=user.id,
        messages=[
            NewMessage("user" if i % 2 else "assistant", f"message {i} " * 20, {"i": i})
            for i in range(1000)
        ],
    )
    get_user_sql = sql("users/get_by_id")
    list_sql = sql("messages/list_by_conversation")
    last_sql = sql("messages/list_last_n")
    create_sql = sql("messages/create")
    meta = {"source": "bench"}

    cases: dict[str, tuple[Callable[[], Awaitable[object]], Callable[[], Awaitable[object]]]] = {
        "get user by id": (
            lambda: users.get_by_id(conn, user_id=user.id),
            lambda: conn.fetchrow(get_user_sql, user.id),
        ),
        "list 50 messages": (
            lambda: messages.list_by_conversation(
                conn, conversation_id=chat.id, user_id=user.id, limit=50, offset=0
            ),
            lambda: conn.fetch(list_sql, chat.id, user.id, 50, 0),
        ),
        "last 20 messages": (
            lambda: messages.list_last_n(conn, conversation_id=chat.id, user_id=user.id, n=20),
            lambda: conn.fetch(last_sql, chat.id, user.id, 20),
        ),
        "create message": (
            lambda: messages.create(
                conn,
                conversation_id=chat.id,
                user_id=user.id,
                role="user",
                content="hello",
                metadata=meta,
            ),
            lambda: conn.fetchrow(create_sql, chat.id, user.id, "user", "hello", meta),
        ),
    }
    print(f"{'operation':<18} {'layer ops/s':>12} {'bare ops/s':>12} {'ratio':>7}")
    worst = 1.0
    for name, (layer, bare) in cases.items():
        await measure(layer, calls // 10)  # warm the statement cache
        await measure(bare, calls // 10)
        layer_rates, bare_rates = [], []
        for _ in range(rounds):  # interleaved, so drift hits both sides alike
            layer_rates.append(await measure(layer, calls))
            bare_rates.append(await measure(bare, calls))
        layer_rate, bare_rate = statistics.median(layer_rates), statistics.median(bare_rates)
        worst = min(worst, layer_rate / bare_rate)
        print(f"{name:<18} {layer_rate:>12,.0f} {bare_rate:>12,.0f} {layer_rate / bare_rate:>7.1%}")
    print(f"lowest ratio: {worst:.1%} (target >= 90%)")
    await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    server_url = os.environ.get("DATABASE_URL")
    embedded = None
    if not server_url:
        from service.tooling.embedded import EmbeddedPostgres

        embedded = EmbeddedPostgres(Path(tempfile.mkdtemp()) / "pg", ephemeral=True)
        server_url = embedded.url("postgres")
    try:
        with scratch_database(server_url) as url:
            migrations.apply(url)
            asyncio.run(run(url, args.rounds, args.calls))
    finally:
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    main()
