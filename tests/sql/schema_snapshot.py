"""A comparable description of the product schema, read from the catalogs."""

from typing import Any

import psycopg2

YOYO_TABLES = {"_yoyo_log", "_yoyo_migration", "_yoyo_version", "yoyo_lock"}

_QUERIES = {
    "tables": """
        SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' ORDER BY 1""",
    "columns": """
        SELECT table_name, column_name, data_type, character_maximum_length,
               is_nullable, column_default
        FROM information_schema.columns
        WHERE table_schema = 'public' ORDER BY 1, 2""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2""",
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' ORDER BY 1, 2""",
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
        FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2""",
    "functions": """
        SELECT proname, pg_get_functiondef(p.oid)
        FROM pg_proc p WHERE pronamespace = 'public'::regnamespace ORDER BY 1""",
}


def snapshot(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Everything but yoyo's bookkeeping tables."""
    conn = psycopg2.connect(database_url)
    try:
        with conn.cursor() as cur:
            result = {}
            for kind, query in _QUERIES.items():
                cur.execute(query)
                result[kind] = [
                    row for row in cur.fetchall() if str(row[0]).strip('"') not in YOYO_TABLES
                ]
            return result
    finally:
        conn.close()
