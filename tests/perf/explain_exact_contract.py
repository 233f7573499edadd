"""EXPLAIN (ANALYZE, BUFFERS) of the statements issue 12 added or changed, as generic
plans (PREPARE, then EXECUTE under force_generic_plan) on 100,000 videos,
transcripts and jobs and 400,000 participants in a scratch database. Not a test.

    .venv/bin/python -m tests.perf.explain_exact_contract
"""

import asyncio
from typing import Any

from service.cli import database
from service.db import QUERIES, connect
from service.settings import load_settings
from service.tooling import migrations
from service.tooling.scratch import scratch_database
from tests.sql.conftest import PASSWORD_HASH

SEED = f"""
INSERT INTO users (username, email, password_hash)
SELECT 'user' || g, 'user' || g || '@example.com', '{PASSWORD_HASH}'
FROM generate_series(1, 200) g;
INSERT INTO channels (user_id, youtube_channel_id, name)
SELECT u.id, 'UC' || lpad(row_number() OVER ()::text, 22, '0'), 'ch'
FROM users u, generate_series(1, 10);
INSERT INTO videos (user_id, youtube_video_id, channel_id)
SELECT c.user_id, lpad(row_number() OVER ()::text, 11, '0'), c.id
FROM channels c, generate_series(1, 50);
INSERT INTO transcripts (user_id, video_id, source, transcript_text)
SELECT user_id, id, 'upload', 'words words' FROM videos;
INSERT INTO meetings (user_id, title) SELECT u.id, 'm' FROM users u, generate_series(1, 250);
INSERT INTO participants (user_id, meeting_id, name)
SELECT m.user_id, m.id, 'p' FROM meetings m, generate_series(1, 8);
INSERT INTO processing_jobs (user_id, job_type)
SELECT u.id, 't' FROM users u, generate_series(1, 500);
ANALYZE;
"""


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, list):
        return "'{}'"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


async def main() -> None:
    with database(load_settings({})) as url, scratch_database(url) as scratch:
        migrations.apply(scratch)
        conn = await connect(scratch)
        try:
            await conn.execute(SEED)
            await conn.execute("SET plan_cache_mode = force_generic_plan")
            one = "SELECT id, user_id FROM {} OFFSET {} LIMIT 1"
            t = await conn.fetchrow(one.format("transcripts", 50_000))
            m = await conn.fetchrow(one.format("meetings", 30_000))
            j = await conn.fetchrow(one.format("processing_jobs", 50_000))
            v = await conn.fetchrow(one.format("videos", 70_000))
            channel = await conn.fetchval(
                "SELECT id FROM channels WHERE user_id = $1 OFFSET 3 LIMIT 1", v[1]
            )
            nothing = [None] * 10
            cases = [
                ("transcripts/update", [t[0], t[1], None, None, "A title", None, []]),
                ("processing_jobs/update", [j[0], j[1], 5, None, None, None]),
                ("meetings/get_with_participants", [m[0], m[1]]),
                ("videos/update", [v[0], v[1], channel, *nothing, []]),
            ]
            for i, (name, args) in enumerate(cases):
                await conn.execute(f"PREPARE q{i} AS {QUERIES[name].rstrip().rstrip(';')}")
                listed = ", ".join(_literal(a) for a in args)
                tx = conn.transaction()
                await tx.start()
                plan = await conn.fetch(
                    f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE q{i}({listed})"
                )
                await tx.rollback()
                print(f"== {name}")
                print("\n".join(row[0] for row in plan))
        finally:
            await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
