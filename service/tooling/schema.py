"""The product schema as the catalogs describe it: a comparable snapshot, a readable
diff between two snapshots, and a Mermaid ER diagram."""

import difflib
from collections.abc import Iterable
from typing import Any

import psycopg

from service.tooling.migrations import CHECKSUM_TABLE

BOOKKEEPING_TABLES = {"_yoyo_log", "_yoyo_migration", "_yoyo_version", "yoyo_lock", CHECKSUM_TABLE}

# Each kind: a query whose first columns name the object, the rest describe it.
_KINDS: dict[str, tuple[int, str]] = {
    "table": (
        1,
        """
        SELECT table_name FROM information_schema.tables
        WHERE table_schema = current_schema() ORDER BY 1""",
    ),
    "column": (
        2,
        """
        SELECT table_name, column_name,
               CASE WHEN data_type = 'ARRAY' THEN udt_name ELSE data_type END,
               character_maximum_length, is_nullable, column_default, generation_expression
        FROM information_schema.columns
        WHERE table_schema = current_schema() ORDER BY 1, 2""",
    ),
    "constraint": (
        2,
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint
        WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2""",
    ),
    "index": (
        2,
        """
        SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = current_schema() ORDER BY 1, 2""",
    ),
    "trigger": (
        2,
        """
        SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid)
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
        ORDER BY 1, 2""",
    ),
    "function": (
        1,
        """
        SELECT proname, pg_get_functiondef(p.oid)
        FROM pg_proc p WHERE pronamespace = current_schema()::regnamespace ORDER BY 1""",
    ),
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


def mermaid(database_url: str) -> str:
    """A Mermaid erDiagram of the live product schema: tables, columns (PK, FK, UK)
    and the foreign keys between tables."""
    conn = psycopg.connect(database_url)
    try:
        with conn.cursor() as cur:
            cur.execute("""
                SELECT c.table_name, c.column_name, c.udt_name,
                       bool_or(tc.constraint_type = 'PRIMARY KEY'),
                       bool_or(tc.constraint_type = 'FOREIGN KEY'),
                       bool_or(tc.constraint_type = 'UNIQUE' AND (
                           SELECT count(*) FROM information_schema.key_column_usage k
                           WHERE k.constraint_name = tc.constraint_name
                             AND k.constraint_schema = tc.constraint_schema) = 1)
                FROM information_schema.columns c
                LEFT JOIN information_schema.key_column_usage ku
                  ON ku.table_schema = c.table_schema AND ku.table_name = c.table_name
                 AND ku.column_name = c.column_name
                LEFT JOIN information_schema.table_constraints tc
                  ON tc.constraint_name = ku.constraint_name
                 AND tc.constraint_schema = ku.constraint_schema
                WHERE c.table_schema = current_schema()
                GROUP BY c.table_name, c.column_name, c.udt_name, c.ordinal_position
                ORDER BY c.table_name, c.ordinal_position""")
            columns = cur.fetchall()
            cur.execute("""
                SELECT DISTINCT cl.relname, ref.relname, a.attname
                FROM pg_constraint con
                JOIN pg_class cl ON cl.oid = con.conrelid
                JOIN pg_class ref ON ref.oid = con.confrelid
                JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
                WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace
                ORDER BY 2, 1, 3""")
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
