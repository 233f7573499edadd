"""Concurrent applies take turns, a failing migration leaves nothing behind, an
irreversible one cannot be rolled back past, and `new` starts a numbered pair."""

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from service.tooling import migrations
from service.tooling.resources import MIGRATIONS_DIR
from service.tooling.schema import snapshot


@pytest.fixture
def source(tmp_path: Path) -> Path:
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, copy)
    return copy


def _scalar(url: str, query: str) -> object:
    conn = psycopg.connect(url)
    with conn.cursor() as cur:
        cur.execute(query)
        row = cur.fetchone()
    conn.close()
    return row[0] if row else None


def test_two_processes_applying_at_once_apply_each_migration_once(
    make_database: Callable[[], str],
) -> None:
    url = make_database()
    script = (
        "import sys; from service.tooling import migrations; print(migrations.apply(sys.argv[1]))"
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", script, url], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=120)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0]
    applied = [m for out in outputs for m in eval(out)]  # noqa: S307 - our own printed list
    assert sorted(applied) == migrations.migration_ids()
    applies = _scalar(
        url,
        "SELECT max(n) FROM (SELECT count(*) AS n FROM _yoyo_log "
        "WHERE operation = 'apply' GROUP BY migration_id) per_migration",
    )
    assert applies == 1


def test_a_failing_migration_leaves_the_database_as_it_was(
    make_database: Callable[[], str], source: Path
) -> None:
    url = make_database()
    migrations.apply(url, source)
    before = snapshot(url)
    (source / "0099.broken.sql").write_text(
        "-- depends: 0009.meetings\nCREATE TABLE half_done (id int);\nSELECT 1 / 0;\n"
    )
    (source / "0099.broken.rollback.sql").write_text("DROP TABLE half_done;\n")
    with pytest.raises(psycopg.errors.DivisionByZero):
        migrations.apply(url, source)
    assert snapshot(url) == before
    assert not {s.id: s.applied for s in migrations.status(url, source)}["0099.broken"]


def test_rollback_refuses_to_cross_an_irreversible_migration(
    make_database: Callable[[], str], source: Path
) -> None:
    created = migrations.new("drop_legacy_notes", irreversible="drops user data", source=source)
    created.write_text(created.read_text() + "CREATE TABLE legacy_notes (id int);\n")
    url = make_database()
    migrations.apply(url, source)
    migration_id = created.stem

    for steps in (1, None):
        with pytest.raises(migrations.IrreversibleMigrationError) as refused:
            migrations.rollback(url, steps, source)
        assert str(refused.value) == (
            f"migration {migration_id} is irreversible (drops user data); nothing was rolled back"
        )
    assert all(s.applied for s in migrations.status(url, source))

    # Plain yoyo meets the rollback file's own refusal.
    yoyo = Path(sys.executable).with_name("yoyo")
    done = subprocess.run(
        [str(yoyo), "rollback", "--batch", "--all", "--no-config-file", "--database",
         migrations.yoyo_url(url), str(source)],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert done.returncode != 0
    assert f"migration {migration_id} is irreversible" in done.stderr
    assert _scalar(url, "SELECT to_regclass('legacy_notes') IS NOT NULL") is True


def test_new_creates_the_next_numbered_pair(source: Path) -> None:
    last = migrations.migration_ids(source)[-1]
    created = migrations.new("add_video_notes", source=source)
    number = int(last.split(".")[0]) + 1
    assert created == source / f"{number:04d}.add_video_notes.sql"
    assert created.read_text().startswith(f"-- depends: {last}\n")
    rollback = migrations.rollback_path(created.stem, source)
    assert rollback.is_file()
    assert migrations.irreversible_reason(created.stem, source) is None
    (source / f"{number + 1:04d}.again.rollback.sql").write_text("-- left behind\n")
    with pytest.raises(FileExistsError):
        migrations.new("again", source=source)


@pytest.mark.parametrize("name", ["Add", "add-notes", "", "1st", "x" * 61])
def test_new_refuses_names_that_are_not_snake_case(source: Path, name: str) -> None:
    with pytest.raises(ValueError, match="lowercase letters, digits and _"):
        migrations.new(name, source=source)


def test_new_in_an_empty_folder_starts_at_one(tmp_path: Path) -> None:
    created = migrations.new("first", source=tmp_path)
    assert created.name == "0001.first.sql"
    assert "depends" not in created.read_text()
