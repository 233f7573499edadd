"""The product schema as the catalogs describe it: a comparable snapshot, a readable
diff between two snapshots, and a Mermaid ER diagram."""

import difflib
from collections.abc import Iterable
from typing import Any

import psycopg

from service.tooling.migrations import CHECKSUM_TABLE
from service.tooling.resources import SQL_DIR

BOOKKEEPING_TABLES = {"_yoyo_log", "_yoyo_migration", "_yoyo_version", "yoyo_lock", CHECKSUM_TABLE}

# Each kind: how many leading columns name an object (the rest describe it), and
# the query, in sql/catalogue/.
_KINDS: dict[str, tuple[int, str]] = {
    kind: (key_width, (SQL_DIR / "catalogue" / f"schema_{plural}.sql").read_text())
    for kind, plural, key_width in (
        ("table", "tables", 1),
        ("column", "columns", 2),
        ("constraint", "constraints", 2),
        ("index", "indexes", 2),
        ("trigger", "triggers", 2),
        ("function", "functions", 1),
    )
}

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(database_url: str) -> Snapshot:
    """Every product object by kind; tubebase's and yoyo's bookkeeping left out."""
    conn = psycopg.connect(database_url)
    try:
        with conn.cursor() as cur:
            result: Snapshot = {}
            for kind, (_, query) in _KINDS.items():
                cur.execute(query)
                result[kind] = [
                    tuple(row) for row in cur.fetchall()
                    if str(row[0]).strip('"') not in BOOKKEEPING_TABLES
                ]  # fmt: skip
            return result
    finally:
        conn.close()


def _name(kind: str, key: tuple[Any, ...]) -> str:
    return f"{kind} {'.'.join(str(part) for part in key)}"


def diff(live: Snapshot, expected: Snapshot) -> list[str]:
    """One line per differing object: '+' only in the live database, '-' only in what
    the migrations produce, '~' in both but different (with both definitions)."""
    lines = []
    for kind, (key_width, _) in _KINDS.items():
        have = {row[:key_width]: row[key_width:] for row in live.get(kind, [])}
        want = {row[:key_width]: row[key_width:] for row in expected.get(kind, [])}
        for key in sorted(have.keys() | want.keys(), key=str):
            if key not in want:
                lines.append(f"+ {_name(kind, key)}: in the database, not in the migrations")
            elif key not in have:
                lines.append(f"- {_name(kind, key)}: in the migrations, not in the database")
            elif have[key] != want[key]:
                lines.append(_changed(_name(kind, key), have[key], want[key]))
    return lines


def _describe(values: Iterable[Any]) -> str:
    return " | ".join("NULL" if v is None else str(v) for v in values)


def _changed(name: str, have: tuple[Any, ...], want: tuple[Any, ...]) -> str:
    live, expected = _describe(have), _describe(want)
    if "\n" not in live + expected:
        return f"~ {name}: database has {live}, migrations give {expected}"
    changes = difflib.unified_diff(
        expected.splitlines(), live.splitlines(), "migrations", "database", lineterm="", n=1
    )
    return f"~ {name} differs:\n" + "\n".join(f"    {line}" for line in changes)


_DIAGRAM_COLUMNS = (SQL_DIR / "catalogue" / "diagram_columns.sql").read_text()
_DIAGRAM_RELATIONS = (SQL_DIR / "catalogue" / "diagram_relations.sql").read_text()


def mermaid(database_url: str) -> str:
    """A Mermaid erDiagram of the live product schema: tables, columns (PK, FK, UK)
    and the foreign keys between tables."""
    conn = psycopg.connect(database_url)
    try:
        with conn.cursor() as cur:
            cur.execute(_DIAGRAM_COLUMNS)
            columns = cur.fetchall()
            cur.execute(_DIAGRAM_RELATIONS)
            relations = cur.fetchall()
    finally:
        conn.close()
    lines = ["erDiagram"]
    for child, parent, column in relations:
        lines.append(f'    {parent} ||--o{{ {child} : "{column}"')
    table = None
    for name, column, udt, is_pk, is_fk, is_unique in columns:
        if name in BOOKKEEPING_TABLES:
            continue
        if name != table:
            if table is not None:
                lines.append("    }")
            lines.append(f"    {name} {{")
            table = name
        kind = udt[1:] + "_array" if udt.startswith("_") else udt
        keys = ",".join(k for k, on in (("PK", is_pk), ("FK", is_fk), ("UK", is_unique)) if on)
        lines.append(f"        {kind} {column}" + (f" {keys}" if keys else ""))
    if table is not None:
        lines.append("    }")
    return "\n".join(lines) + "\n"
