"""`tubebase db check`: quiet on a database its migrations made, and naming each
object, edited file or missing rollback when something drifted."""

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from service.tooling import migrations
from service.tooling.drift import check
from service.tooling.resources import MIGRATIONS_DIR


def _run(url: str, *statements: str) -> None:
    conn = psycopg.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
    conn.close()


@pytest.fixture
def source(tmp_path: Path) -> Path:
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy)
    return copy


def test_a_database_made_by_its_migrations_has_no_drift(make_database: Callable[[], str]) -> None:
    url = make_database()
    migrations.apply(url)
    report = check(url)
    assert report.ok
    assert (report.schema, report.edited, report.missing_rollbacks) == ([], [], [])
    assert report.unrecorded == [] and report.pending == []


def test_hand_made_changes_are_named_object_by_object(make_database: Callable[[], str]) -> None:
    url = make_database()
    migrations.apply(url)
    _run(
        url,
        "ALTER TABLE users ADD COLUMN nickname text",
        "DROP INDEX idx_messages_created_at",
        "ALTER TABLE videos ALTER COLUMN title SET DEFAULT 'untitled'",
        "ALTER TABLE config DROP CONSTRAINT config_key_format",
        "CREATE TRIGGER extra AFTER INSERT ON config "
        "FOR EACH ROW EXECUTE FUNCTION set_updated_at()",
        "CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n    RETURN NEW;\nEND;\n$$",
        "CREATE TABLE scratchpad (id int)",
    )
    report = check(url)
    assert not report.ok
    text = "\n".join(report.schema)
    assert "+ table scratchpad: in the database, not in the migrations" in text
    assert "+ column users.nickname: in the database, not in the migrations" in text
    assert (
        "- index messages.idx_messages_created_at: in the migrations, not in the database" in text
    )
    assert "~ column videos.title: database has text | NULL | YES | 'untitled'::text" in text
    assert "- constraint config.config_key_format" in text
    assert "+ trigger config.extra" in text
    assert "~ function set_updated_at differs:" in text
    assert "-    NEW.updated_at := now();" in text


def test_a_migration_edited_after_it_was_applied_is_named(
    make_database: Callable[[], str], source: Path
) -> None:
    url = make_database()
    migrations.apply(url, source)
    edited = source / "0005.config.sql"
    edited.write_text(
        edited.read_text().replace("CREATE TABLE config (", "CREATE TABLE config ( -- edited")
    )
    report = check(url, source)
    assert not report.ok
    assert len(report.edited) == 1 and report.edited[0].startswith("0005.config (sha256 ")
    assert report.schema == []


def test_a_migration_without_rollback_is_named(
    make_database: Callable[[], str], source: Path
) -> None:
    (source / "0004.templates.rollback.sql").unlink()
    url = make_database()
    migrations.apply(url, source)
    report = check(url, source)
    assert report.missing_rollbacks == ["0004.templates"]
    assert "no rollback file: migrations/0004.templates.rollback.sql" in report.lines()
    assert not report.ok


def test_migrations_applied_outside_tubebase_are_noted_not_failed(
    make_database: Callable[[], str],
) -> None:
    url = make_database()
    yoyo = Path(sys.executable).with_name("yoyo")
    subprocess.run(
        [
            str(yoyo),
            "apply",
            "--batch",
            "--no-config-file",
            "--database",
            migrations.yoyo_url(url),
            str(MIGRATIONS_DIR),
        ],
        check=True,
        capture_output=True,
    )
    report = check(url)
    assert report.ok
    assert report.unrecorded == migrations.migration_ids()


def test_pending_migrations_are_noted_and_compared_as_applied(
    make_database: Callable[[], str],
) -> None:
    url = make_database()
    ids = migrations.migration_ids()
    migrations.apply(url, only=set(ids[:3]))
    report = check(url)
    assert report.ok, report.lines()
    assert report.pending == ids[3:]
    assert f"note: {ids[3]} is not applied yet (tubebase db apply)" in report.lines()
