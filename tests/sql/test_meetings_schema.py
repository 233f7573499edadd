"""Migration 0009 (meetings, participants, syntheses) as raw SQL sees it: generated
columns, CHECKs, the lifecycle trigger, cascades, updated_at triggers, indexes, the
plan of the title search, and the rollback."""

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from service.db import TOTAL_CAP, connect, sql
from service.queries import meetings, participants, syntheses, users
from service.queries.syntheses import SynthesisFields
from service.tooling import migrations
from tests.sql.conftest import db_now
from tests.sql.library_fixtures import insert_aged
from tests.sql.test_meetings import add_meeting

DAY = timedelta(days=1)
MEETING_TABLES = ["meetings", "participants", "syntheses"]


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


async def meeting_with_everything(
    db: asyncpg.Connection, user: users.User
) -> tuple[uuid.UUID, list[uuid.UUID], uuid.UUID]:
    """A meeting, two participants and a synthesis: (meeting, participants, synthesis)."""
    meeting = await add_meeting(db, user)
    people = [
        (await participants.create(db, user_id=user.id, meeting_id=meeting.id, name=name)).id
        for name in ("Ann", "Bo")
    ]
    stored = await syntheses.upsert(
        db, user_id=user.id, meeting_id=meeting.id, fields=SynthesisFields(summary="s")
    )
    assert stored is not None
    return meeting.id, people, stored[0].id


async def count_rows(db: asyncpg.Connection, table: str, ids: list[uuid.UUID]) -> int:
    found: int = await db.fetchval(f"SELECT count(*) FROM {table} WHERE id = ANY($1::uuid[])", ids)
    return found


# generated columns


@pytest.mark.parametrize("column", ["transcript_word_count", "duration_seconds"])
async def test_meetings_generated_columns_cannot_be_inserted(
    db: asyncpg.Connection, alice: users.User, column: str
) -> None:
    with pytest.raises(asyncpg.GeneratedAlwaysError):
        async with db.transaction():
            await db.execute(
                f"INSERT INTO meetings (user_id, title, {column}) VALUES ($1, 't', 7)", alice.id
            )


@pytest.mark.parametrize("column", ["transcript_word_count", "duration_seconds"])
async def test_meetings_generated_columns_cannot_be_updated(
    db: asyncpg.Connection, alice: users.User, column: str
) -> None:
    meeting = await add_meeting(db, alice, transcript="a b")

    with pytest.raises(asyncpg.GeneratedAlwaysError):
        async with db.transaction():
            await db.execute(f"UPDATE meetings SET {column} = 7 WHERE id = $1", meeting.id)


async def test_summary_word_count_cannot_be_inserted(
    db: asyncpg.Connection, alice: users.User
) -> None:
    meeting = await add_meeting(db, alice)

    with pytest.raises(asyncpg.GeneratedAlwaysError):
        async with db.transaction():
            await db.execute(
                "INSERT INTO syntheses (user_id, meeting_id, summary, summary_word_count)"
                " VALUES ($1, $2, 'two words', 99)",
                alice.id,
                meeting.id,
            )


@pytest.mark.parametrize(
    ("transcript", "words"),
    [("  a  b\n c ", 3), ("   ", 0), (None, None), ("x", 1), ("\n\nline one\nline two\n", 4)],
)
async def test_raw_insert_computes_word_count(
    db: asyncpg.Connection, alice: users.User, transcript: str | None, words: int | None
) -> None:
    counted = await db.fetchval(
        "INSERT INTO meetings (user_id, title, transcript) VALUES ($1, 't', $2)"
        " RETURNING transcript_word_count",
        alice.id,
        transcript,
    )

    assert counted == words


async def test_raw_insert_computes_duration(db: asyncpg.Connection, alice: users.User) -> None:
    row = await db.fetchrow(
        "INSERT INTO meetings (user_id, title, started_at, ended_at)"
        " VALUES ($1, 't', '2026-01-23 10:00+00', '2026-01-23 11:30:15.9+00')"
        " RETURNING duration_seconds",
        alice.id,
    )

    assert row["duration_seconds"] == 90 * 60 + 15


async def test_clearing_the_transcript_clears_the_word_count(
    db: asyncpg.Connection, alice: users.User
) -> None:
    meeting = await add_meeting(db, alice, transcript="one two three")

    counted = await db.fetchval(
        "UPDATE meetings SET transcript = NULL WHERE id = $1 RETURNING transcript_word_count",
        meeting.id,
    )

    assert counted is None


# CHECK constraints


@pytest.mark.parametrize(
    ("column", "value", "constraint"),
    [
        ("status", "archived", "meetings_status_check"),
        ("status", "PENDING", "meetings_status_check"),
        ("title", "   ", "meetings_title_not_blank"),
        ("title", "", "meetings_title_not_blank"),
        ("processing_time_seconds", -1, "meetings_processing_time_not_negative"),
    ],
)
async def test_meetings_checks(
    db: asyncpg.Connection, alice: users.User, column: str, value: Any, constraint: str
) -> None:
    row: dict[str, Any] = {"title": "ok", "status": "pending", "processing_time_seconds": 0}
    row[column] = value
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        constraint,
        "INSERT INTO meetings (user_id, title, status, processing_time_seconds)"
        " VALUES ($1, $2, $3, $4)",
        alice.id,
        row["title"],
        row["status"],
        row["processing_time_seconds"],
    )


async def test_ended_before_started_is_refused(db: asyncpg.Connection, alice: users.User) -> None:
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        "meetings_ends_after_start",
        "INSERT INTO meetings (user_id, title, started_at, ended_at)"
        " VALUES ($1, 't', '2026-01-23 10:00+00', '2026-01-23 09:59:59+00')",
        alice.id,
    )


@pytest.mark.parametrize(
    ("column", "value", "constraint"),
    [
        ("summary", " ", "syntheses_summary_not_blank"),
        ("key_decisions", "{}", "syntheses_lists_are_arrays"),
        ("action_items", '"x"', "syntheses_lists_are_arrays"),
        ("open_questions", "1", "syntheses_lists_are_arrays"),
        ("key_topics", "null", "syntheses_lists_are_arrays"),
        ("email_recipients", '{"to": "a@b.c"}', "syntheses_lists_are_arrays"),
        ("llm_tokens_used", -1, "syntheses_llm_tokens_not_negative"),
        ("processing_time_seconds", -0.5, "syntheses_processing_time_not_negative"),
        ("confidence_score", 1.5, "syntheses_confidence_range"),
        ("confidence_score", -0.1, "syntheses_confidence_range"),
        ("email_delivery_status", "queued", "syntheses_email_delivery_status_check"),
    ],
)
async def test_syntheses_checks(
    db: asyncpg.Connection, alice: users.User, column: str, value: Any, constraint: str
) -> None:
    meeting = await add_meeting(db, alice)
    json_columns = {"key_decisions", "action_items", "open_questions", "key_topics"}
    json_columns.add("email_recipients")
    cast = "::text::jsonb" if column in json_columns else ""
    await assert_violates(
        db,
        asyncpg.CheckViolationError,
        constraint,
        f"INSERT INTO syntheses (user_id, meeting_id, summary, {column})"
        f" VALUES ($1, $2, $3, $4{cast})"
        if column != "summary"
        else "INSERT INTO syntheses (user_id, meeting_id, summary) VALUES ($1, $2, $3)",
        alice.id,
        meeting.id,
        "ok" if column != "summary" else value,
        *([] if column == "summary" else [value]),
    )


@pytest.mark.parametrize(
    ("status", "sent_at", "allowed"),
    [
        ("pending", None, True),
        ("failed", None, True),
        ("sent", "now", True),
        ("sent", None, False),
        ("pending", "now", False),
        ("failed", "now", False),
    ],
)
async def test_sent_if_and_only_if_sent_at(
    db: asyncpg.Connection, alice: users.User, status: str, sent_at: str | None, allowed: bool
) -> None:
    meeting = await add_meeting(db, alice)
    query = (
        "INSERT INTO syntheses (user_id, meeting_id, summary, email_delivery_status,"
        " email_sent_at) VALUES ($1, $2, 's', $3, CASE WHEN $4::text IS NULL THEN NULL"
        " ELSE now() END)"
    )

    if allowed:
        await db.execute(query, alice.id, meeting.id, status, sent_at)
        stored = await syntheses.get_by_meeting_id(db, meeting_id=meeting.id, user_id=alice.id)
        assert stored is not None
        assert stored.email_delivery_status == status
    else:
        await assert_violates(
            db,
            asyncpg.CheckViolationError,
            "syntheses_sent_has_time",
            query,
            alice.id,
            meeting.id,
            status,
            sent_at,
        )


async def test_email_sent_at_is_a_timestamptz(db: asyncpg.Connection) -> None:
    rows = await db.fetch(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ANY($1::text[])"
        " AND data_type = 'timestamp with time zone'",
        MEETING_TABLES,
    )
    found = {(r["table_name"], r["column_name"]) for r in rows}

    assert ("syntheses", "email_sent_at") in found
    for table in MEETING_TABLES:
        assert {(table, "created_at"), (table, "updated_at")} <= found
    assert {("meetings", c) for c in ("scheduled_at", "started_at", "ended_at")} <= found


@pytest.mark.parametrize(
    "column", ["key_decisions", "action_items", "open_questions", "key_topics"]
)
async def test_synthesis_lists_are_jsonb(db: asyncpg.Connection, column: str) -> None:
    data_type = await db.fetchval(
        "SELECT data_type FROM information_schema.columns"
        " WHERE table_name = 'syntheses' AND column_name = $1",
        column,
    )

    assert data_type == "jsonb"


async def test_one_synthesis_per_meeting(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)
    insert = "INSERT INTO syntheses (user_id, meeting_id, summary) VALUES ($1, $2, 's')"
    await db.execute(insert, alice.id, meeting.id)

    await assert_violates(
        db, asyncpg.UniqueViolationError, "uq_syntheses_meeting_id", insert, alice.id, meeting.id
    )


async def test_synthesis_for_another_users_meeting_is_refused(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    meeting = await add_meeting(db, alice)

    await assert_violates(
        db,
        asyncpg.ForeignKeyViolationError,
        "syntheses_meeting_fkey",
        "INSERT INTO syntheses (user_id, meeting_id, summary) VALUES ($1, $2, 's')",
        bob.id,
        meeting.id,
    )


async def test_participant_for_another_users_meeting_is_refused(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    meeting = await add_meeting(db, alice)

    await assert_violates(
        db,
        asyncpg.ForeignKeyViolationError,
        "participants_meeting_fkey",
        "INSERT INTO participants (user_id, meeting_id, name) VALUES ($1, $2, 'Mallory')",
        bob.id,
        meeting.id,
    )


async def test_moving_a_meeting_to_another_user_is_refused_while_it_has_children(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    meeting_id, _, _ = await meeting_with_everything(db, alice)

    with pytest.raises(asyncpg.ForeignKeyViolationError):
        async with db.transaction():
            await db.execute("UPDATE meetings SET user_id = $2 WHERE id = $1", meeting_id, bob.id)


# the lifecycle trigger, bypassing the query layer


@pytest.mark.parametrize(
    ("old", "new"),
    [("pending", "completed"), ("completed", "pending"), ("completed", "failed")],
)
async def test_raw_update_is_checked_too(
    db: asyncpg.Connection, alice: users.User, old: str, new: str
) -> None:
    meeting_id = await db.fetchval(
        "INSERT INTO meetings (user_id, title, status) VALUES ($1, 't', $2) RETURNING id",
        alice.id,
        old,
    )

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await db.execute("UPDATE meetings SET status = $2 WHERE id = $1", meeting_id, new)

    assert caught.value.constraint_name == "meetings_status_transition"
    assert caught.value.table_name == "meetings"
    assert f"from {old} to {new}" in caught.value.message
    assert await db.fetchval("SELECT status FROM meetings WHERE id = $1", meeting_id) == old


async def test_an_insert_is_not_a_transition(db: asyncpg.Connection, alice: users.User) -> None:
    status = await db.fetchval(
        "INSERT INTO meetings (user_id, title, status) VALUES ($1, 't', 'completed')"
        " RETURNING status",
        alice.id,
    )

    assert status == "completed"


async def test_updates_leaving_status_alone_pass_in_every_status(
    db: asyncpg.Connection, alice: users.User
) -> None:
    for status in ["pending", "transcribing", "synthesizing", "completed", "failed"]:
        meeting_id = await db.fetchval(
            "INSERT INTO meetings (user_id, title, status) VALUES ($1, 't', $2) RETURNING id",
            alice.id,
            status,
        )
        title = await db.fetchval(
            "UPDATE meetings SET title = 'edited', status = status WHERE id = $1 RETURNING title",
            meeting_id,
        )
        assert title == "edited", status


# cascades


async def test_deleting_a_user_takes_meetings_participants_and_syntheses(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    meeting_id, people, synthesis_id = await meeting_with_everything(db, alice)
    bobs_meeting, bobs_people, bobs_synthesis = await meeting_with_everything(db, bob)

    await users.delete(db, user_id=alice.id)

    assert await count_rows(db, "meetings", [meeting_id]) == 0
    assert await count_rows(db, "participants", people) == 0
    assert await count_rows(db, "syntheses", [synthesis_id]) == 0
    assert await count_rows(db, "meetings", [bobs_meeting]) == 1
    assert await count_rows(db, "participants", bobs_people) == 2
    assert await count_rows(db, "syntheses", [bobs_synthesis]) == 1


async def test_deleting_a_meeting_takes_participants_and_synthesis(
    db: asyncpg.Connection, alice: users.User
) -> None:
    meeting_id, people, synthesis_id = await meeting_with_everything(db, alice)
    other_meeting, other_people, other_synthesis = await meeting_with_everything(db, alice)

    await db.execute("DELETE FROM meetings WHERE id = $1", meeting_id)

    assert await count_rows(db, "participants", people) == 0
    assert await count_rows(db, "syntheses", [synthesis_id]) == 0
    assert await count_rows(db, "meetings", [other_meeting]) == 1
    assert await count_rows(db, "participants", other_people) == 2
    assert await count_rows(db, "syntheses", [other_synthesis]) == 1


async def test_every_meeting_foreign_key_cascades(db: asyncpg.Connection) -> None:
    rows = await db.fetch(
        "SELECT conrelid::regclass::text AS tbl, conname, confdeltype::text FROM pg_constraint"
        " WHERE contype = 'f' AND conrelid::regclass::text = ANY($1::text[])",
        MEETING_TABLES,
    )
    found = {(r["tbl"], r["conname"]): r["confdeltype"] for r in rows}

    assert ("participants", "participants_meeting_fkey") in found
    assert ("syntheses", "syntheses_meeting_fkey") in found
    assert {tbl for tbl, _ in found} == set(MEETING_TABLES)
    assert set(found.values()) == {"c"}, found


# updated_at triggers


async def test_meetings_updated_at_trigger(db: asyncpg.Connection, alice: users.User) -> None:
    meeting_id = await insert_aged(db, "meetings", user_id=alice.id, title="old")

    await db.execute("UPDATE meetings SET title = 'new' WHERE id = $1", meeting_id)

    row = await db.fetchrow("SELECT created_at, updated_at FROM meetings WHERE id = $1", meeting_id)
    now = await db_now(db)
    assert row["updated_at"] == now
    assert row["created_at"] == now - DAY


async def test_participants_updated_at_trigger(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)
    participant_id = await insert_aged(
        db, "participants", user_id=alice.id, meeting_id=meeting.id, name="Ann"
    )

    updated = await participants.update(
        db, participant_id=participant_id, meeting_id=meeting.id, user_id=alice.id, name="Ann B"
    )

    now = await db_now(db)
    assert updated is not None
    assert updated.updated_at == now
    assert updated.created_at == now - DAY


async def test_syntheses_updated_at_trigger_on_replace_and_mark(
    db: asyncpg.Connection, alice: users.User
) -> None:
    first = await add_meeting(db, alice)
    second = await add_meeting(db, alice)
    aged = [
        await insert_aged(db, "syntheses", user_id=alice.id, meeting_id=m.id, summary="old")
        for m in (first, second)
    ]

    replaced = await syntheses.upsert(
        db, user_id=alice.id, meeting_id=first.id, fields=SynthesisFields(summary="new")
    )
    marked = await syntheses.mark_email_sent(db, meeting_id=second.id, user_id=alice.id)

    now = await db_now(db)
    assert replaced is not None
    assert replaced[0].id == aged[0]
    assert (replaced[0].updated_at, replaced[0].created_at) == (now, now - DAY)
    assert marked is not None
    assert (marked.updated_at, marked.created_at) == (now, now - DAY)


@pytest.mark.parametrize("table", MEETING_TABLES)
async def test_updated_at_trigger_uses_the_shared_function(
    db: asyncpg.Connection, table: str
) -> None:
    functions = await db.fetch(
        "SELECT p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
        " WHERE t.tgrelid = $1::regclass AND NOT t.tgisinternal",
        table,
    )

    assert "set_updated_at" in {r["proname"] for r in functions}


async def test_title_search_uses_the_gin_index(db: asyncpg.Connection, alice: users.User) -> None:
    await db.execute(
        "INSERT INTO meetings (user_id, title)"
        " SELECT $1, 'Weekly sync ' || i || ' team ' || (i % 37) FROM generate_series(1, 2000) i",
        alice.id,
    )
    needle = await add_meeting(db, alice, "Quarterly zeppelin planning")
    # Fresh GIN entries wait in the pending list until a vacuum, which cannot run in the
    # test's transaction: flush it as autovacuum would, then gather statistics.
    await db.fetchval("SELECT gin_clean_pending_list('idx_meetings_title_search')")
    await db.execute("ANALYZE meetings")
    args = (alice.id, "zeppelin", TOTAL_CAP, 10, 0)

    plan = "\n".join(
        r[0] for r in await db.fetch("EXPLAIN " + sql("meetings/search_by_title"), *args)
    )

    # No enable_seqscan = off: on 2000 rows the index wins on cost alone.
    assert "idx_meetings_title_search" in plan, plan
    found = await meetings.search_by_title(db, user_id=alice.id, query="zeppelin")
    assert [m.id for m in found.items] == [needle.id]
    assert (found.total, found.exact) == (1, True)


async def test_summary_search_uses_the_gin_index(db: asyncpg.Connection, alice: users.User) -> None:
    await db.execute(
        "WITH made AS (INSERT INTO meetings (user_id, title)"
        " SELECT $1, 'm' || i FROM generate_series(1, 2000) i RETURNING id)"
        " INSERT INTO syntheses (user_id, meeting_id, summary)"
        " SELECT $1, id, 'The team reviewed item ' || md5(id::text) FROM made",
        alice.id,
    )
    meeting = await add_meeting(db, alice)
    await syntheses.upsert(
        db,
        user_id=alice.id,
        meeting_id=meeting.id,
        fields=SynthesisFields(summary="The zeppelin launch slipped"),
    )
    await db.fetchval("SELECT gin_clean_pending_list('idx_syntheses_summary_search')")
    await db.execute("ANALYZE syntheses")

    plan = await db.fetch(
        "EXPLAIN " + sql("syntheses/search_summary"), alice.id, "zeppelin", TOTAL_CAP, 5, 0
    )

    # No enable_seqscan = off: on 2000 rows the index wins on cost alone.
    assert "idx_syntheses_summary_search" in "\n".join(r[0] for r in plan)
    found = await syntheses.search_summary(db, user_id=alice.id, query="zeppelin")
    assert [s.meeting_id for s in found.items] == [meeting.id]
    assert (found.total, found.exact) == (1, True)


async def test_pending_email_queries_can_use_the_unsent_partial_index(
    db: asyncpg.Connection, alice: users.User
) -> None:
    pending = await add_meeting(db, alice)
    failed = await add_meeting(db, alice)
    for meeting in (pending, failed):
        await syntheses.upsert(
            db, user_id=alice.id, meeting_id=meeting.id, fields=SynthesisFields(summary="s")
        )
    await syntheses.mark_email_failed(db, meeting_id=failed.id, user_id=alice.id, error="x")
    await db.execute("SET LOCAL enable_seqscan = off")

    queue_plan = await db.fetch(
        "EXPLAIN " + sql("syntheses/list_pending_email"), alice.id, TOTAL_CAP, None, None, 10, 0
    )
    count_plan = await db.fetch("EXPLAIN " + sql("syntheses/count_pending_email"), alice.id)

    assert "idx_syntheses_pending_email" in "\n".join(r[0] for r in queue_plan)
    assert "idx_syntheses_pending_email" in "\n".join(r[0] for r in count_plan)
    # The index holds what is not sent yet: pending and failed alike.
    queue = await syntheses.list_pending_email(db, user_id=alice.id)
    assert {s.meeting_id for s in queue.items} == {pending.id, failed.id}
    assert queue.total == 2
    assert await syntheses.count_pending_email(db, user_id=alice.id) == 2


# reversibility


async def test_rolling_back_0009_removes_exactly_the_meeting_objects(
    make_database: Callable[[], str],
) -> None:
    url = make_database()
    migrations.apply(url)
    # the migrations on top of it go first
    assert migrations.rollback(url, 7) == [
        "0016.messages_created_at_brin",
        "0015.filtered_claims",
        "0014.job_queue",
        "0013.semantic_retrieval",
        "0012.exact_contract",
        "0011.hostile_clients",
        "0010.retrieval_at_scale",
    ]

    assert migrations.rollback(url, 1) == ["0009.meetings"]
    conn = await connect(url)
    try:
        tables = {
            r[0]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        }
        functions = {
            r[0]
            for r in await conn.fetch(
                "SELECT proname FROM pg_proc WHERE pronamespace = current_schema()::regnamespace"
            )
        }
        assert not set(MEETING_TABLES) & tables
        assert {"users", "videos", "processing_jobs"} <= tables
        assert "check_meeting_status_transition" not in functions
        assert "set_updated_at" in functions

        assert migrations.apply(url) == [
            "0009.meetings",
            "0010.retrieval_at_scale",
            "0011.hostile_clients",
            "0012.exact_contract",
            "0013.semantic_retrieval",
            "0014.job_queue",
            "0015.filtered_claims",
            "0016.messages_created_at_brin",
        ]
        restored = await conn.fetchval(
            "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
            " AND tablename = ANY($1::text[])",
            MEETING_TABLES,
        )
        assert restored == 3
    finally:
        await conn.close()
