"""Migration 0012: what it adds (transcripts.title, the channel_name and session
status triggers), the sessions it finishes on the way in, and its rollback."""

from collections.abc import Callable

import psycopg
import pytest

from service.tooling import migrations
from tests.sql.conftest import PASSWORD_HASH
from tests.sql.test_migrations import MIGRATION_IDS

BEFORE_0012 = [m for m in MIGRATION_IDS if m < "0012"]


def _run(url: str, *statements: str) -> list[tuple[object, ...]]:
    conn = psycopg.connect(url)
    conn.autocommit = True
    try:
        rows: list[tuple[object, ...]] = []
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
                if cur.description is not None:
                    rows = cur.fetchall()
        return rows
    finally:
        conn.close()


_USER = (
    "INSERT INTO users (id, username, email, password_hash) VALUES "
    f"('00000000-0000-4000-8000-000000000001', 'ada', 'ada@example.com', '{PASSWORD_HASH}')"
)
_UID = "'00000000-0000-4000-8000-000000000001'"


def test_0012_finishes_sessions_whose_jobs_all_finished_before_it(
    make_database: Callable[[], str],
) -> None:
    url = make_database()
    assert migrations.apply(url, only=BEFORE_0012) == BEFORE_0012
    _run(
        url,
        _USER,
        "INSERT INTO processing_sessions (id, user_id, name) VALUES"
        f" ('00000000-0000-4000-8000-00000000000a', {_UID}, 'done'),"
        f" ('00000000-0000-4000-8000-00000000000b', {_UID}, 'half'),"
        f" ('00000000-0000-4000-8000-00000000000c', {_UID}, 'empty')",
        "INSERT INTO processing_jobs (user_id, session_id, job_type, status) VALUES"
        f" ({_UID}, '00000000-0000-4000-8000-00000000000a', 't', 'queued'),"
        f" ({_UID}, '00000000-0000-4000-8000-00000000000a', 't', 'queued'),"
        f" ({_UID}, '00000000-0000-4000-8000-00000000000b', 't', 'queued'),"
        f" ({_UID}, '00000000-0000-4000-8000-00000000000b', 't', 'queued')",
        "UPDATE processing_jobs SET status = 'running', started_at = now() - interval '1 hour'",
        "UPDATE processing_jobs SET status = 'completed', finished_at = now() - interval '5 min'"
        " WHERE session_id = '00000000-0000-4000-8000-00000000000a'",
        "UPDATE processing_jobs SET status = 'failed', finished_at = now()"
        " WHERE id = (SELECT min(id::text)::uuid FROM processing_jobs"
        "             WHERE session_id = '00000000-0000-4000-8000-00000000000b')",
    )
    before = dict(_run(url, "SELECT name, status FROM processing_sessions"))
    assert set(before.values()) <= {"pending", "running"}

    assert migrations.apply(url) == [
        "0012.exact_contract",
        "0013.semantic_retrieval",
        "0014.job_queue",
        "0015.filtered_claims",
        "0016.messages_created_at_brin",
    ]

    after = _run(
        url,
        "SELECT name, status, started_at IS NOT NULL, finished_at IS NOT NULL,"
        " finished_at < now() - interval '1 min'"
        " FROM processing_sessions ORDER BY name",
    )
    assert after == [
        ("done", "completed", True, True, True),  # finished when its last job did
        ("empty", "pending", False, False, None),
        ("half", before["half"], True, False, None),  # one job still runs
    ]


def test_rolling_back_0012_removes_its_column_and_triggers(
    make_database: Callable[[], str],
) -> None:
    url = make_database()
    migrations.apply(url)

    assert migrations.rollback(url, 5) == [
        "0016.messages_created_at_brin",
        "0015.filtered_claims",
        "0014.job_queue",
        "0013.semantic_retrieval",
        "0012.exact_contract",
    ]

    assert (
        _run(
            url,
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = 'transcripts' AND column_name = 'title'",
        )
        == []
    )
    functions = _run(
        url,
        "SELECT proname FROM pg_proc WHERE proname IN"
        " ('derive_session_status', 'videos_channel_name_from_channel')",
    )
    assert functions == []
    _run(
        url,
        _USER,
        "INSERT INTO channels (id, user_id, youtube_channel_id, name) VALUES"
        f" ('00000000-0000-4000-8000-0000000000c1', {_UID}, 'UC0000000000000000000001', 'C')",
        "INSERT INTO videos (user_id, youtube_video_id, channel_id) VALUES"
        f" ({_UID}, 'aaaaaaaaaaa', '00000000-0000-4000-8000-0000000000c1')",
    )
    assert _run(url, "SELECT channel_name FROM videos") == [(None,)]
    assert migrations.apply(url) == [
        "0012.exact_contract",
        "0013.semantic_retrieval",
        "0014.job_queue",
        "0015.filtered_claims",
        "0016.messages_created_at_brin",
    ]


def test_a_blank_transcript_title_is_refused(make_database: Callable[[], str]) -> None:
    url = make_database()
    migrations.apply(url)
    _run(
        url,
        _USER,
        "INSERT INTO videos (id, user_id, youtube_video_id) VALUES"
        f" ('00000000-0000-4000-8000-0000000000f1', {_UID}, 'bbbbbbbbbbb')",
    )

    with pytest.raises(psycopg.errors.CheckViolation):
        _run(
            url,
            "INSERT INTO transcripts (user_id, video_id, source, transcript_text, title) VALUES"
            f" ({_UID}, '00000000-0000-4000-8000-0000000000f1', 'upload', 'text', '  ')",
        )
