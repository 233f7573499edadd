"""The thin layer between query functions and asyncpg: SQL files loaded once by name,
a pool whose connections encode and decode JSON with msgspec, and row-to-Struct helpers.

Rows become Structs positionally (`Struct(*row)`), so a query's SELECT list must
follow its Struct's field order; tests/sql/test_query_shapes.py checks every file."""

from collections.abc import Iterable
from itertools import starmap
from typing import Any, TypeVar

import asyncpg
import msgspec

from service.resources import SQL_DIR

T = TypeVar("T")

# A pooled connection, a bare connection or the pool itself: all run queries.
Executor = Any


def _load_queries() -> dict[str, str]:
    return {
        path.relative_to(SQL_DIR).with_suffix("").as_posix(): path.read_text()
        for path in sorted(SQL_DIR.rglob("*.sql"))
    }


QUERIES = _load_queries()


def sql(name: str) -> str:
    """The text of sql/<name>.sql; a wrong name fails at import, not at request time."""
    try:
        return QUERIES[name]
    except KeyError:
        raise LookupError(f"no query file sql/{name}.sql") from None


def one(struct: type[T], row: Any) -> T | None:
    return None if row is None else struct(*row)


def many(struct: type[T], rows: Iterable[Any]) -> list[T]:
    return list(starmap(struct, rows))


_encode_json = msgspec.json.Encoder().encode
_decode_json = msgspec.json.Decoder().decode


def _json_text(value: Any) -> str:
    return _encode_json(value).decode()


async def init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, schema="pg_catalog", encoder=_json_text, decoder=_decode_json
        )


async def create_pool(database_url: str, *, min_size: int, max_size: int) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        database_url, min_size=min_size, max_size=max_size, init=init_connection
    )
    assert pool is not None
    return pool


async def connect(database_url: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(database_url)
    await init_connection(conn)
    return conn
