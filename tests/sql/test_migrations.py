import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from service.tooling import migrations
from service.tooling.resources import MIGRATIONS_DIR
from service.tooling.schema import snapshot
from tests.sql.conftest import PASSWORD_HASH

REPO = Path(__file__).resolve().parents[2]
PRODUCT_TABLES = {
    "users",
    "sessions",
    "conversations",
    "messages",
    "templates",
    "config",
    "channels",
    "videos",
    "transcripts",
    "chunks",
    "processing_sessions",
    "processing_jobs",
    "meetings",
    "participants",
    "syntheses",
    "login_throttle",
    "embedding_models",
    "chunk_embeddings",
}
PRODUCT_FUNCTIONS = {
    "set_updated_at",
    "update_conversation_timestamp",
    "keep_one_default_template",
    "check_video_status_transition",
    "track_session_progress",
    "check_meeting_status_transition",
    "count_deleted_messages",
    "count_inserted_chunks",
    "count_deleted_chunks",
    "videos_channel_name_from_channel",
    "derive_session_status",
    "embedding_operator",
    "embedding_opclass",
    "embedding_index_name",
    "embedding_index_statement",
    "embedding_index_create",
    "nearest_chunks",
    "chunk_embeddings_check_owner",
    "processing_jobs_notify",
    "claim_jobs",
}
MIGRATION_IDS = sorted(
    p.name.removesuffix(".sql")
    for p in MIGRATIONS_DIR.glob("*.sql")
    if not p.name.endswith(".rollback.sql")
)


def _tables(url: str) -> set[str]:
    return {row[0] for row in snapshot(url)["table"]}


def _functions(url: str) -> set[str]:
    return {row[0] for row in snapshot(url)["function"]}


def test_every_migration_has_a_rollback() -> None:
    for migration_id in MIGRATION_IDS:
        assert (MIGRATIONS_DIR / f"{migration_id}.rollback.sql").is_file(), migration_id


def test_apply_rollback_apply_round_trip(make_database: Callable[[], str]) -> None:
    url = make_database()
    assert migrations.apply(url) == MIGRATION_IDS
    assert _tables(url) == PRODUCT_TABLES
    assert _functions(url) == PRODUCT_FUNCTIONS
    migrated = snapshot(url)

    assert migrations.rollback(url, None) == list(reversed(MIGRATION_IDS))
    empty = snapshot(url)
    assert empty == {kind: [] for kind in empty}, "rollback left product objects behind"

    assert migrations.apply(url) == MIGRATION_IDS
    assert snapshot(url) == migrated


def test_apply_is_idempotent(make_database: Callable[[], str]) -> None:
    url = make_database()
    migrations.apply(url)
    assert migrations.apply(url) == []
    assert all(item.applied for item in migrations.status(url))


@pytest.mark.parametrize("steps_back", range(1, len(MIGRATION_IDS) + 1))
def test_step_back_and_forth_restores_the_schema(
    make_database: Callable[[], str], steps_back: int
) -> None:
    url = make_database()
    migrations.apply(url)
    migrated = snapshot(url)

    rolled = migrations.rollback(url, steps_back)
    assert rolled == list(reversed(MIGRATION_IDS))[:steps_back]
    status = {item.id: item.applied for item in migrations.status(url)}
    assert [m for m in MIGRATION_IDS if not status[m]] == sorted(rolled)
    assert snapshot(url) != migrated

    assert migrations.apply(url) == sorted(rolled)
    assert snapshot(url) == migrated


def test_status_lists_pending_then_applied(make_database: Callable[[], str]) -> None:
    url = make_database()
    assert [(s.id, s.applied) for s in migrations.status(url)] == [
        (m, False) for m in MIGRATION_IDS
    ]
    migrations.apply(url)
    assert [(s.id, s.applied) for s in migrations.status(url)] == [(m, True) for m in MIGRATION_IDS]


def test_plain_yoyo_reads_database_url_from_the_repo_config(
    make_database: Callable[[], str],
) -> None:
    url = make_database()
    yoyo = Path(sys.executable).with_name("yoyo")
    env = {**os.environ, "YOYO_DATABASE_URL": migrations.yoyo_url(url)}

    def run(*args: str) -> None:
        done = subprocess.run(
            [str(yoyo), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr

    run("apply", "--batch")
    assert _tables(url) == PRODUCT_TABLES
    run("rollback", "--batch", "--all")
    assert _tables(url) == set()
    assert _functions(url) == set()


def one_row(cur: Any) -> tuple[Any, ...]:
    row = cur.fetchone()
    assert row is not None
    return tuple(row)


def test_0010_counts_the_messages_and_chunks_already_there(
    make_database: Callable[[], str],
) -> None:
    """0010 adds conversations.message_count and transcripts.chunk_count and fills them
    in for existing rows, without touching their updated_at."""
    url = make_database()
    before_0010 = [m for m in MIGRATION_IDS if m < "0010"]
    assert migrations.apply(url, only=before_0010) == before_0010
    conn = psycopg.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO users (username, email, password_hash)"
            " VALUES ('backfill', 'backfill@example.com', %s) RETURNING id",
            (PASSWORD_HASH,),
        )
        (user_id,) = one_row(cur)
        cur.execute(
            "INSERT INTO conversations (user_id, title, updated_at)"
            " SELECT %s, t, '2020-01-01' FROM unnest(ARRAY['busy', 'empty']) t RETURNING id",
            (user_id,),
        )
        busy, empty = (row[0] for row in cur.fetchall())
        cur.execute(
            "INSERT INTO messages (conversation_id, user_id, role, content)"
            " SELECT %s, %s, 'user', 'm' || i FROM generate_series(1, 3) i",
            (busy, user_id),
        )
        cur.execute(
            "INSERT INTO videos (user_id, youtube_video_id)"
            " VALUES (%s, 'abcdefghijk') RETURNING id",
            (user_id,),
        )
        (video_id,) = one_row(cur)
        cur.execute(
            "INSERT INTO transcripts (user_id, video_id, source, language, transcript_text)"
            " SELECT %s, %s, 'upload', l, 'text' FROM unnest(ARRAY['en', 'fr']) l RETURNING id",
            (user_id, video_id),
        )
        chunked, bare = (row[0] for row in cur.fetchall())
        cur.execute(
            "INSERT INTO chunks (user_id, transcript_id, chunk_index, chunk_text, token_count)"
            " SELECT %s, %s, i, 'chunk ' || i, 2 FROM generate_series(0, 4) i",
            (user_id, chunked),
        )
        cur.execute("UPDATE conversations SET updated_at = '2020-01-01'")
        cur.execute("SELECT id, updated_at FROM conversations")
        conversations_before = dict(cur.fetchall())
        cur.execute("SELECT id, updated_at FROM transcripts")
        transcripts_before = dict(cur.fetchall())

        assert migrations.apply(url, only=["0010.retrieval_at_scale"]) == [
            "0010.retrieval_at_scale"
        ]

        cur.execute("SELECT id, message_count, updated_at FROM conversations")
        conversations_after = {row[0]: row[1:] for row in cur.fetchall()}
        cur.execute("SELECT id, chunk_count, updated_at FROM transcripts")
        transcripts_after = {row[0]: row[1:] for row in cur.fetchall()}
    conn.close()

    assert conversations_after == {
        busy: (3, conversations_before[busy]),
        empty: (0, conversations_before[empty]),
    }
    assert transcripts_after == {
        chunked: (5, transcripts_before[chunked]),
        bare: (0, transcripts_before[bare]),
    }


def test_0011_names_usernames_that_differ_only_in_case_and_applies_once_renamed(
    make_database: Callable[[], str],
) -> None:
    """0011 makes usernames unique whatever their case; existing look-alikes stop it
    with an error that lists them (the database stays as it was) until renamed."""
    url = make_database()
    before_0011 = [m for m in MIGRATION_IDS if m < "0011"]
    assert migrations.apply(url, only=before_0011) == before_0011
    names = ["Ada", "ada", "ADA", "bob", "Bob", "carol"]
    conn = psycopg.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            for name in names:
                cur.execute(
                    "INSERT INTO users (username, email, password_hash) VALUES (%s, %s, %s)",
                    (name, f"{name}-{len(name)}-{names.index(name)}@example.com", PASSWORD_HASH),
                )
        before = snapshot(url)

        with pytest.raises(psycopg.Error) as raised:
            migrations.apply(url)

        message = str(raised.value)
        listed = re.search(r"usernames that differ only in case: ([^\n]*)", message)
        assert listed is not None, message
        groups = {frozenset(group.split(", ")) for group in listed.group(1).split("; ")}
        assert groups == {frozenset({"ADA", "Ada", "ada"}), frozenset({"Bob", "bob"})}, message
        assert "carol" not in message
        assert not {s.id: s.applied for s in migrations.status(url)}["0011.hostile_clients"]
        assert snapshot(url) == before

        with conn.cursor() as cur:
            cur.execute(
                "UPDATE users SET username = username || '_' || md5(username)"
                " WHERE username IN ('Ada', 'ADA', 'Bob')"
            )
        assert migrations.apply(url, only=["0011.hostile_clients"]) == ["0011.hostile_clients"]

        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM users")
            assert one_row(cur) == (6,)
            with pytest.raises(psycopg.errors.UniqueViolation):
                cur.execute(
                    "INSERT INTO users (username, email, password_hash)"
                    " VALUES ('CAROL', 'carol2@example.com', %s)",
                    (PASSWORD_HASH,),
                )
    finally:
        conn.close()


def test_rolling_back_0011_restores_case_sensitive_usernames(
    make_database: Callable[[], str],
) -> None:
    url = make_database()
    migrations.apply(url)
    assert migrations.rollback(url, 6) == [
        "0016.messages_created_at_brin",
        "0015.filtered_claims",
        "0014.job_queue",
        "0013.semantic_retrieval",
        "0012.exact_contract",
        "0011.hostile_clients",
    ]
    assert "login_throttle" not in _tables(url)
    conn = psycopg.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'users' AND column_name LIKE '%login%'"
            )
            assert cur.fetchall() == []
            for name in ("ada", "ADA"):
                cur.execute(
                    "INSERT INTO users (username, email, password_hash) VALUES (%s, %s, %s)",
                    (name, f"{name}@x{len(name)}{name.isupper()}.example", PASSWORD_HASH),
                )
            with pytest.raises(psycopg.errors.UniqueViolation):
                cur.execute(
                    "INSERT INTO users (username, email, password_hash)"
                    " VALUES ('ada', 'again@example.com', %s)",
                    (PASSWORD_HASH,),
                )
    finally:
        conn.close()
