"""Where the SQL files and migrations live: beside the package in a wheel, at the
repository root in a checkout or editable install."""

import functools
from pathlib import Path

from psycopg import sql

_PACKAGE = Path(__file__).resolve().parent.parent  # service/


def resource_dir(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name}/ directory near {_PACKAGE}")


SQL_DIR = resource_dir("sql")
MIGRATIONS_DIR = resource_dir("migrations")


@functools.cache
def tooling_sql(name: str) -> sql.SQL:
    """sql/tooling/<name>.sql, the tooling's own statements (run through psycopg): %s
    placeholders, and {names} that psycopg.sql fills with identifiers tubebase picks."""
    return sql.SQL((SQL_DIR / "tooling" / f"{name}.sql").read_text())
