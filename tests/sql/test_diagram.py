from pathlib import Path

from service.cli import DIAGRAM_END, DIAGRAM_START
from service.tooling.schema import mermaid

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_diagram_is_the_schema_the_migrations_make(database_url: str) -> None:
    block = README.read_text().split(DIAGRAM_START, 1)[1].split(DIAGRAM_END, 1)[0]
    expected = f"\n```mermaid\n{mermaid(database_url)}```\n"
    assert block == expected, "stale: run `tubebase db diagram --readme README.md`"


def test_the_diagram_has_every_table_its_keys_and_relations(database_url: str) -> None:
    diagram = mermaid(database_url)
    assert diagram.startswith("erDiagram\n")
    for table in ("users", "videos", "chunks", "processing_jobs", "meetings", "syntheses"):
        assert f"    {table} {{\n" in diagram
    assert "        uuid id PK\n" in diagram
    assert '    users ||--o{ sessions : "user_id"\n' in diagram
    assert '    conversations ||--o{ messages : "conversation_id"\n' in diagram
    assert '    meetings ||--o{ syntheses : "meeting_id"\n' in diagram
    assert "        text_array tags\n" in diagram
    assert "_yoyo" not in diagram and "tubebase_migration_checksums" not in diagram
