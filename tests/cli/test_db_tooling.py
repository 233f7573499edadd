from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from service.cli import DIAGRAM_END, DIAGRAM_START, main
from service.tooling import migrations


@pytest.fixture
def migrated_url(make_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch) -> str:
    url = make_database()
    migrations.apply(url)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_db_verify_passes_on_the_real_schema(
    migrated_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "verify"]) == 0
    assert capsys.readouterr().out.strip().endswith("query functions agree with their SQL")


def test_db_check_passes_then_fails_on_drift(
    migrated_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "check"]) == 0
    assert "the database matches its migrations" in capsys.readouterr().out

    conn = psycopg.connect(migrated_url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("ALTER TABLE meetings ADD COLUMN room text")
    conn.close()
    assert main(["db", "check"]) == 1
    assert (
        "schema: + column meetings.room: in the database, not in the migrations"
        in capsys.readouterr().out
    )


def test_db_diagram_prints_and_rewrites_a_readme_block(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "diagram"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("erDiagram\n")

    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{DIAGRAM_START}\nold\n{DIAGRAM_END}\n\nafter\n")
    assert main(["db", "diagram", "--readme", str(readme)]) == 0
    assert readme.read_text() == (
        f"# Title\n\n{DIAGRAM_START}\n```mermaid\n{printed}```\n{DIAGRAM_END}\n\nafter\n"
    )

    unmarked = tmp_path / "OTHER.md"
    unmarked.write_text("no markers\n")
    assert main(["db", "diagram", "--readme", str(unmarked)]) == 2
    assert "has no" in capsys.readouterr().err


def test_db_new_refuses_a_bad_name(capsys: pytest.CaptureFixture[str]) -> None:
    before = migrations.migration_ids()
    assert main(["db", "new", "Bad-Name"]) == 2
    assert "lowercase letters, digits and _" in capsys.readouterr().err
    assert migrations.migration_ids() == before
