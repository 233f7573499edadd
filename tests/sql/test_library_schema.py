"""The constraints, cascades, triggers and indexes of migrations 0006-0008: channels,
videos, transcripts, chunks, processing_sessions and processing_jobs."""

import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from service.queries import channels, chunks, processing_jobs, processing_sessions, users
from service.queries.processing_jobs import NewJob
from tests.sql.conftest import db_now
from tests.sql.library_fixtures import (
    add_channel,
    add_chunks,
    add_job,
    add_transcript,
    add_video,
    insert_aged,
    new_youtube_channel_id,
    new_youtube_video_id,
)

DAY = timedelta(days=1)
LIBRARY_TABLES = [
    "channels",
    "videos",
    "transcripts",
    "chunks",
    "processing_sessions",
    "processing_jobs",
]


async def assert_violates(
    db: asyncpg.Connection,
    error: type[asyncpg.PostgresError],
    constraint: str,
    query: str,
    *args: Any,
) -> None:
    with pytest.raises(error) as caught:
        async with db.transaction():
            await db.execute(query, *args)
    assert caught.value.constraint_name == constraint


# CHECK constraints, written as raw SQL so nothing in Python stands in front of them


@pytest.mark.parametrize(
    ("column", "value", "constraint"),
    [
        ("name", "   ", "channels_name_not_blank"),
        ("status", "deleted", "channels_status_check"),
        ("metadata", "[]", "channels_metadata_is_object"),
        ("processing_config", '"text"', "channels_processing_config_is_object"),
    ],
)
async def test_channels_checks(
    db: asyncpg.Connection, alice: users.User, column: str, value: str, constraint: str
) -> None:
    defaults = {"name": "ok", "status": "active", "metadata": "{}", "processing_config": "{}"}
    row = {**defaults, column: value}
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        constraint,
        "INSERT INTO channels (user_id, youtube_channel_id, name, status, metadata, "
        "processing_config) VALUES ($1, $2, $3, $4, $5::text::jsonb, $6::text::jsonb)",
        alice.id,
        new_youtube_channel_id(),
        row["name"],
        row["status"],
        row["metadata"],
        row["processing_config"],
    )


@pytest.mark.parametrize(
    ("assignments", "constraint"),
    [
        ("status = 'pending'", "videos_status_check"),
        ("duration_seconds = -1", "videos_duration_not_negative"),
        ("file_size_bytes = -1", "videos_file_size_not_negative"),
        ("youtube_video_id = 'short'", "videos_youtube_video_id_format"),
    ],
)
async def test_videos_checks_on_insert(
    db: asyncpg.Connection, alice: users.User, assignments: str, constraint: str
) -> None:
    column, value = (part.strip() for part in assignments.split("=", 1))
    if column == "youtube_video_id":
        query = f"INSERT INTO videos (user_id, youtube_video_id) VALUES ($1, {value})"
        args: tuple[Any, ...] = (alice.id,)
    else:
        query = f"INSERT INTO videos (user_id, youtube_video_id, {column}) VALUES ($1, $2, {value})"
        args = (alice.id, new_youtube_video_id())
    await assert_violates(db, asyncpg.CheckViolationError, constraint, query, *args)


async def test_videos_tags_default_to_an_empty_array(
    db: asyncpg.Connection, alice: users.User
) -> None:
    tags = await db.fetchval(
        "INSERT INTO videos (user_id, youtube_video_id) VALUES ($1, $2) RETURNING tags",
        alice.id,
        new_youtube_video_id(),
    )
    assert tags == []


async def test_transcripts_metadata_is_an_object(db: asyncpg.Connection, alice: users.User) -> None:
    video = await add_video(db, alice)
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        "transcripts_metadata_is_object",
        "INSERT INTO transcripts (user_id, video_id, source, transcript_text, metadata) "
        "VALUES ($1, $2, 'upload', 't', '[1]')",
        alice.id,
        video.id,
    )


async def test_transcripts_language_defaults_to_en(
    db: asyncpg.Connection, alice: users.User
) -> None:
    video = await add_video(db, alice)
    language = await db.fetchval(
        "INSERT INTO transcripts (user_id, video_id, source, transcript_text) "
        "VALUES ($1, $2, 'upload', 't') RETURNING language",
        alice.id,
        video.id,
    )
    assert language == "en"


async def test_transcripts_unique_per_video_source_language(
    db: asyncpg.Connection, alice: users.User
) -> None:
    video = await add_video(db, alice)
    await add_transcript(db, alice, video, source="upload", language="en")
    await assert_violates(
        db,
        asyncpg.UniqueViolationError,
        "uq_transcripts_video_source_language",
        "INSERT INTO transcripts (user_id, video_id, source, language, transcript_text) "
        "VALUES ($1, $2, 'upload', 'en', 'again')",
        alice.id,
        video.id,
    )


async def test_chunks_metadata_is_an_object(db: asyncpg.Connection, alice: users.User) -> None:
    transcript_id = await add_transcript(db, alice, await add_video(db, alice))
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        "chunks_metadata_is_object",
        "INSERT INTO chunks (user_id, transcript_id, chunk_index, chunk_text, token_count, "
        "metadata) VALUES ($1, $2, 0, 'x', 1, 'null')",
        alice.id,
        transcript_id,
    )


async def test_chunks_search_vector_cannot_be_written(
    db: asyncpg.Connection, alice: users.User
) -> None:
    (chunk,) = await add_chunks(
        db, alice, await add_transcript(db, alice, await add_video(db, alice)), ["words"]
    )

    with pytest.raises(asyncpg.PostgresError, match="search_vector"):
        async with db.transaction():
            await db.execute(
                "UPDATE chunks SET search_vector = to_tsvector('other') WHERE id = $1", chunk.id
            )


async def test_chunks_search_vector_follows_the_text(
    db: asyncpg.Connection, alice: users.User
) -> None:
    (chunk,) = await add_chunks(
        db, alice, await add_transcript(db, alice, await add_video(db, alice)), ["apples"]
    )

    await db.execute("UPDATE chunks SET chunk_text = 'oranges' WHERE id = $1", chunk.id)

    vector = await db.fetchval("SELECT search_vector::text FROM chunks WHERE id = $1", chunk.id)
    assert vector == "'orang':1"

    async def total(query: str) -> int:
        hits = await chunks.search(
            db, user_id=alice.id, query=query, candidates=10_000, limit=10, offset=0
        )
        assert hits.exact
        assert len(hits.items) == hits.total
        return hits.total

    assert await total("apples") == 0
    assert await total("oranges") == 1


@pytest.mark.parametrize(
    ("assignments", "constraint"),
    [
        ("status = 'paused'", "processing_sessions_status_check"),
        ("configuration = '[]'", "processing_sessions_configuration_is_object"),
        ("total_items = -1", "processing_sessions_counters_not_negative"),
        ("completed_items = -1", "processing_sessions_counters_not_negative"),
        ("failed_items = -1", "processing_sessions_counters_not_negative"),
    ],
)
async def test_processing_sessions_checks(
    db: asyncpg.Connection, alice: users.User, assignments: str, constraint: str
) -> None:
    session = await processing_sessions.create(db, user_id=alice.id)
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        constraint,
        f"UPDATE processing_sessions SET {assignments} WHERE id = $1",
        session.id,
    )


@pytest.mark.parametrize(
    ("assignments", "constraint"),
    [
        ("status = 'paused'", "processing_jobs_status_check"),
        ("payload = '[]'", "processing_jobs_payload_is_object"),
        ("attempts = -1", "processing_jobs_attempts_range"),
        ("max_attempts = 0", "processing_jobs_attempts_range"),
        ("max_attempts = 101", "processing_jobs_attempts_range"),
        ("entity_type = 'video'", "processing_jobs_entity_pair"),
        ("entity_id = gen_random_uuid()", "processing_jobs_entity_pair"),
        ("job_type = 'Bad Type'", "processing_jobs_job_type_format"),
    ],
)
async def test_processing_jobs_checks(
    db: asyncpg.Connection, alice: users.User, assignments: str, constraint: str
) -> None:
    job = await add_job(db, alice)
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        constraint,
        f"UPDATE processing_jobs SET {assignments} WHERE id = $1",
        job.id,
    )


async def test_processing_jobs_entity_pair_accepts_both(
    db: asyncpg.Connection, alice: users.User
) -> None:
    entity = uuid.uuid4()

    job = await add_job(db, alice, entity_type="transcript", entity_id=entity)

    assert (job.entity_type, job.entity_id) == ("transcript", entity)


async def test_processing_jobs_idempotency_key_unique_per_user(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await add_job(db, alice, idempotency_key="k1")
    await assert_violates(
        db,
        asyncpg.UniqueViolationError,
        "uq_processing_jobs_user_idempotency_key",
        "INSERT INTO processing_jobs (user_id, job_type, idempotency_key) VALUES ($1, 'x', 'k1')",
        alice.id,
    )
    # NULL keys never collide
    for _ in range(2):
        await db.execute(
            "INSERT INTO processing_jobs (user_id, job_type) VALUES ($1, 'x')", alice.id
        )
    assert await processing_jobs.count_by_user(db, user_id=alice.id) == 3


# tenancy through composite foreign keys


async def test_transcript_must_belong_to_the_videos_user(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    video = await add_video(db, alice)
    await assert_violates(
        db,
        asyncpg.ForeignKeyViolationError,
        "transcripts_video_fkey",
        "INSERT INTO transcripts (user_id, video_id, source, transcript_text) "
        "VALUES ($1, $2, 'upload', 't')",
        bob.id,
        video.id,
    )


async def test_chunk_must_belong_to_the_transcripts_user(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    transcript_id = await add_transcript(db, alice, await add_video(db, alice))
    await assert_violates(
        db,
        asyncpg.ForeignKeyViolationError,
        "chunks_transcript_fkey",
        "INSERT INTO chunks (user_id, transcript_id, chunk_index, chunk_text, token_count) "
        "VALUES ($1, $2, 0, 'x', 1)",
        bob.id,
        transcript_id,
    )


async def test_video_must_belong_to_the_channels_user(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    channel = await add_channel(db, alice)
    await assert_violates(
        db,
        asyncpg.ForeignKeyViolationError,
        "videos_channel_fkey",
        "INSERT INTO videos (user_id, youtube_video_id, channel_id) VALUES ($1, $2, $3)",
        bob.id,
        new_youtube_video_id(),
        channel.id,
    )


async def test_job_must_belong_to_the_sessions_user(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    session = await processing_sessions.create(db, user_id=alice.id)
    await assert_violates(
        db,
        asyncpg.ForeignKeyViolationError,
        "processing_jobs_session_fkey",
        "INSERT INTO processing_jobs (user_id, session_id, job_type) VALUES ($1, $2, 'x')",
        bob.id,
        session.id,
    )


async def test_owner_cannot_be_changed_away_from_the_parent(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    channel = await add_channel(db, alice)
    await add_video(db, alice, channel_id=channel.id)

    with pytest.raises(asyncpg.ForeignKeyViolationError):
        async with db.transaction():
            await db.execute("UPDATE channels SET user_id = $2 WHERE id = $1", channel.id, bob.id)
    assert await channels.exists(db, channel_id=channel.id, user_id=alice.id)


async def test_every_library_foreign_key_cascades_and_carries_user_id(
    db: asyncpg.Connection,
) -> None:
    rows = await db.fetch(
        """
        SELECT con.conname, rel.relname AS table_name, ref.relname AS referenced,
               con.confdeltype::text AS confdeltype,
               array(SELECT a.attname FROM unnest(con.conkey) k
                     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k
                     ORDER BY a.attname)::text[] AS columns
        FROM pg_constraint con
        JOIN pg_class rel ON rel.oid = con.conrelid
        JOIN pg_class ref ON ref.oid = con.confrelid
        WHERE con.contype = 'f' AND rel.relname = ANY($1::text[])
        """,
        LIBRARY_TABLES,
    )
    keys = {(r["table_name"], r["referenced"]): r for r in rows}

    assert {r["confdeltype"] for r in rows} == {"c"}, "every foreign key cascades"
    assert set(keys) == {
        ("channels", "users"),
        ("videos", "users"),
        ("videos", "channels"),
        ("transcripts", "users"),
        ("transcripts", "videos"),
        ("chunks", "users"),
        ("chunks", "transcripts"),
        ("processing_sessions", "users"),
        ("processing_jobs", "users"),
        ("processing_jobs", "processing_sessions"),
    }
    for child, parent, column in [
        ("videos", "channels", "channel_id"),
        ("transcripts", "videos", "video_id"),
        ("chunks", "transcripts", "transcript_id"),
        ("processing_jobs", "processing_sessions", "session_id"),
    ]:
        assert keys[(child, parent)]["columns"] == sorted([column, "user_id"]), child


async def test_deleting_a_user_removes_their_library(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    for owner in (alice, bob):
        channel = await add_channel(db, owner)
        video = await add_video(db, owner, channel_id=channel.id)
        transcript_id = await add_transcript(db, owner, video)
        await add_chunks(db, owner, transcript_id, ["a", "b"])
        session = await processing_sessions.create(db, user_id=owner.id)
        await add_job(db, owner, session_id=session.id)
        await add_job(db, owner)

    await db.execute("DELETE FROM users WHERE id = $1", alice.id)

    expected_for_bob = {
        "channels": 1,
        "videos": 1,
        "transcripts": 1,
        "chunks": 2,
        "processing_sessions": 1,
        "processing_jobs": 2,
    }
    for table, expected in expected_for_bob.items():
        rows = dict(
            await db.fetch(
                f"SELECT user_id, count(*) FROM {table} WHERE user_id = ANY($1::uuid[]) "
                "GROUP BY user_id",
                [alice.id, bob.id],
            )
        )
        assert rows == {bob.id: expected}, table


async def test_deleting_a_channel_cascades_down_to_chunks(
    db: asyncpg.Connection, alice: users.User
) -> None:
    channel = await add_channel(db, alice)
    video = await add_video(db, alice, channel_id=channel.id)
    transcript_id = await add_transcript(db, alice, video)
    await add_chunks(db, alice, transcript_id, ["a", "b", "c"])

    await db.execute("DELETE FROM channels WHERE id = $1", channel.id)

    for table in ("videos", "transcripts", "chunks"):
        count = await db.fetchval(f"SELECT count(*) FROM {table} WHERE user_id = $1", alice.id)
        assert count == 0, table


# triggers


@pytest.mark.parametrize("table", LIBRARY_TABLES)
async def test_updated_at_trigger(db: asyncpg.Connection, table: str) -> None:
    row = await db.fetchrow(
        """
        SELECT t.action_timing, t.event_manipulation, t.action_orientation, t.action_statement
        FROM information_schema.triggers t
        WHERE t.event_object_table = $1 AND t.trigger_name = $1 || '_set_updated_at'
        """,
        table,
    )
    if table == "chunks":
        assert row is None, "chunks have no updated_at"
        return
    assert row is not None
    assert tuple(row) == ("BEFORE", "UPDATE", "ROW", "EXECUTE FUNCTION set_updated_at()")


@pytest.mark.parametrize(
    ("table", "change"),
    [
        ("channels", "name = 'renamed'"),
        ("videos", "title = 'renamed'"),
        ("transcripts", "transcript_text = 'changed'"),
        ("processing_sessions", "name = 'renamed'"),
        ("processing_jobs", "priority = 9"),
    ],
)
async def test_updated_at_is_bumped(
    db: asyncpg.Connection, alice: users.User, table: str, change: str
) -> None:
    columns: dict[str, dict[str, Any]] = {
        "channels": {"youtube_channel_id": new_youtube_channel_id(), "name": "aged"},
        "videos": {"youtube_video_id": new_youtube_video_id()},
        "transcripts": {
            "video_id": (await add_video(db, alice)).id,
            "source": "upload",
            "transcript_text": "aged",
        },
        "processing_sessions": {},
        "processing_jobs": {"job_type": "aged"},
    }
    row_id = await insert_aged(db, table, user_id=alice.id, **columns[table])
    before = await db.fetchval(f"SELECT updated_at FROM {table} WHERE id = $1", row_id)

    await db.execute(f"UPDATE {table} SET {change} WHERE id = $1", row_id)

    created_at, updated_at = await db.fetchrow(
        f"SELECT created_at, updated_at FROM {table} WHERE id = $1", row_id
    )
    now = await db_now(db)
    assert before == now - DAY
    assert updated_at == now
    assert created_at == now - DAY


async def test_video_status_trigger_definition(db: asyncpg.Connection) -> None:
    rows = await db.fetch(
        """
        SELECT action_timing, event_manipulation, action_orientation, action_statement
        FROM information_schema.triggers
        WHERE trigger_name = 'videos_status_transition' AND event_object_table = 'videos'
        """
    )
    assert [tuple(r) for r in rows] == [
        ("BEFORE", "UPDATE", "ROW", "EXECUTE FUNCTION check_video_status_transition()")
    ]
    columns = await db.fetch(
        "SELECT event_object_column FROM information_schema.triggered_update_columns "
        "WHERE trigger_name = 'videos_status_transition'"
    )
    assert [r["event_object_column"] for r in columns] == ["status"]


async def test_video_status_error_names_both_statuses(
    db: asyncpg.Connection, alice: users.User
) -> None:
    video = await add_video(db, alice)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await db.execute("UPDATE videos SET status = 'completed' WHERE id = $1", video.id)

    error = caught.value
    assert error.constraint_name == "videos_status_transition"
    assert error.table_name == "videos"
    assert error.column_name == "status"
    assert "discovered" in str(error) and "completed" in str(error)


async def test_session_progress_trigger_definition(db: asyncpg.Connection) -> None:
    rows = await db.fetch(
        """
        SELECT action_timing, event_manipulation, action_orientation, action_condition
        FROM information_schema.triggers
        WHERE trigger_name = 'trigger_track_session_progress'
          AND event_object_table = 'processing_jobs'
        ORDER BY event_manipulation
        """
    )
    assert [tuple(r)[:3] for r in rows] == [
        ("AFTER", "INSERT", "ROW"),
        ("AFTER", "UPDATE", "ROW"),
    ]
    assert all("session_id IS NOT NULL" in r["action_condition"] for r in rows)


async def test_raw_status_updates_move_the_session_counters(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await processing_sessions.create(db, user_id=alice.id)
    job = await add_job(db, alice, session_id=session.id)

    async def counters() -> tuple[int, int, int]:
        row = await db.fetchrow(
            "SELECT total_items, completed_items, failed_items FROM processing_sessions "
            "WHERE id = $1",
            session.id,
        )
        return tuple(row)

    steps = [
        ("running", (1, 0, 0)),
        ("completed", (1, 1, 0)),
        ("failed", (1, 0, 1)),
        ("cancelled", (0, 0, 0)),
        ("queued", (1, 0, 0)),
    ]
    for status, expected in steps:
        await db.execute("UPDATE processing_jobs SET status = $2 WHERE id = $1", job.id, status)
        assert await counters() == expected, status


async def test_session_progress_ignores_other_columns(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await processing_sessions.create(db, user_id=alice.id)
    job = await add_job(db, alice, session_id=session.id)
    # Every UPDATE writes a new row version, at a new ctid, even within one transaction.
    version = "SELECT ctid FROM processing_sessions WHERE id = $1"
    before = await db.fetchval(version, session.id)

    await db.execute("UPDATE processing_jobs SET priority = 5 WHERE id = $1", job.id)
    await db.execute("UPDATE processing_jobs SET status = 'queued' WHERE id = $1", job.id)
    untouched = await db.fetchval(version, session.id)
    await db.execute("UPDATE processing_jobs SET status = 'running' WHERE id = $1", job.id)

    assert untouched == before
    assert await db.fetchval(version, session.id) != before


async def test_claim_can_use_the_partial_claim_index(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await add_job(db, alice)
    # A handful of rows: forbid the sequential scan to see that the index qualifies.
    await db.execute("SET LOCAL enable_seqscan = off")

    plan = await db.fetch(
        "EXPLAIN SELECT id FROM processing_jobs WHERE status = 'queued' AND run_after <= now() "
        "ORDER BY priority DESC, run_after, created_at LIMIT 5"
    )

    assert "idx_processing_jobs_claim" in "\n".join(r[0] for r in plan)


async def test_tag_and_metadata_containment(db: asyncpg.Connection, alice: users.User) -> None:
    await add_channel(db, alice, metadata={"country": "FR", "topics": ["food", "travel"]})
    await add_channel(db, alice, metadata={"country": "DE"})

    found = await db.fetchval(
        "SELECT count(*) FROM channels WHERE user_id = $1 AND metadata @> $2",
        alice.id,
        {"topics": ["travel"]},
    )

    assert found == 1


async def test_enqueue_defaults_run_after_to_now(db: asyncpg.Connection, alice: users.User) -> None:
    job, _ = await processing_jobs.enqueue(db, user_id=alice.id, job=NewJob(job_type="x"))

    assert job.run_after == job.created_at == await db_now(db)
