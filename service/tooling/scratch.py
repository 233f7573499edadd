"""A throwaway database on the same server, for checks that need a fresh migration."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from service.tooling.resources import tooling_sql


def _run(database_url: str, statement: sql.Composed) -> None:
    conn = psycopg.connect(database_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def new_database(database_url: str) -> str:
    """Creates an empty database beside the one at `database_url` (the role needs
    CREATEDB) and returns its URL."""
    name = f"tubebase_scratch_{uuid.uuid4().hex[:12]}"
    _run(database_url, tooling_sql("create_database").format(name=sql.Identifier(name)))
    return urlsplit(database_url)._replace(path=f"/{name}").geturl()


@contextmanager
def scratch_database(database_url: str) -> Iterator[str]:
    """A new database (`new_database`), dropped afterwards."""
    url = new_database(database_url)
    try:
        yield url
    finally:
        name = urlsplit(url).path.lstrip("/")
        _run(database_url, tooling_sql("drop_database").format(name=sql.Identifier(name)))
