"""The thin layer between query functions and asyncpg: SQL files loaded once by name,
a pool whose connections encode and decode JSON with msgspec, and row-to-Struct helpers
for the few hand-bound queries.

Generated query functions (service/queries/generated/) map columns to fields by name,
resolved by `tubebase db generate`. The hand-bound ones build Structs positionally
(`Struct(*row)`), so their SELECT list follows the Struct's field order;
tests/sql/test_query_shapes.py checks those files.

Statements are prepared once per connection and PostgreSQL may settle on one
generic plan for all parameter values after five executions. Every search and list
is written so that its generic plan is the good one: optional filters never sit
on the index path as `$n IS NULL OR col = $n` (the keyset bound is a row comparison
with coalesce()d ends, a search's scope is chosen by UNION ALL arms, the search's
access path by a one-time filter; messages.created_at has a BRIN index, which
offers a conversation's page no second ordered path), and
tests/sql/test_search_at_scale.py reads
each plan under force_generic_plan. Planning every statement every time instead
(plan_cache_mode = force_custom_plan) cost 60 to 200 µs of PostgreSQL CPU per
statement, measured."""

import struct
from collections.abc import Iterable, Sequence
from itertools import starmap
from typing import Any, Generic, TypeVar

import asyncpg
import msgspec

from service.tooling.resources import SQL_DIR

T = TypeVar("T")

# A pooled connection, a bare connection or the pool itself: all run queries.
Executor = Any

# Lists count their rows up to this many; past it X-Total-Count says "at least".
TOTAL_CAP = 10_000


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


def many(struct: type[T], rows: Iterable[Any]) -> list[T]:
    return list(starmap(struct, rows))


class Listing(msgspec.Struct, Generic[T], frozen=True):
    """One page of a list and the size of the whole list: exact, or (when `exact` is
    false) a lower bound."""

    items: list[T]
    total: int
    exact: bool = True

    @classmethod
    def capped(cls, items: list[T], total: int, cap: int) -> "Listing[T]":
        """A page whose total was counted up to cap + 1 rows."""
        return cls(items, cap, exact=False) if total > cap else cls(items, total)


def listing(struct: type[T], rows: Sequence[Any]) -> Listing[T]:
    """A hand-bound page query's rows: the first column is the total, the rest the
    Struct's; an empty page is one row whose Struct columns are NULL."""
    total: int = rows[0][0]
    return Listing([struct(*row[1:]) for row in rows if row[1] is not None], total)


_encode_json = msgspec.json.Encoder().encode
_decode_json = msgspec.json.Decoder().decode
_JSONB_VERSION = b"\x01"


def _json_text(value: Any) -> str:
    return _encode_json(value).decode()


def _jsonb_binary(value: Any) -> bytes:
    return _JSONB_VERSION + _encode_json(value)


def _jsonb_from_binary(data: bytes) -> Any:
    return _decode_json(data[1:])  # a copy, and still twice as fast as a memoryview


def _vector_binary(value: Sequence[float] | bytes) -> bytes:
    # pgvector's binary form: dimensions and a reserved word (int16 each), then float4s
    # (bytes are packed already: service.embeddings.pack_vector checks as it packs).
    if isinstance(value, bytes):
        return value
    return struct.pack(f">HH{len(value)}f", len(value), 0, *value)


def _vector_from_binary(data: bytes) -> list[float]:
    (dims,) = struct.unpack_from(">H", data)
    return list(struct.unpack_from(f">{dims}f", data, 4))


_VECTOR_TYPE_SCHEMA = sql("embedding_models/vector_type_schema")


async def init_connection(conn: asyncpg.Connection) -> None:
    # jsonb in binary (a version byte, then the text): what binary COPY needs.
    await conn.set_type_codec(
        "jsonb",
        schema="pg_catalog",
        encoder=_jsonb_binary,
        decoder=_jsonb_from_binary,
        format="binary",
    )
    # json, unlike jsonb, is the pass-through type: a query that hands a stored document
    # to the client as it is selects it ::json, and gets its text as msgspec.Raw, which
    # msgspec writes out unparsed (PostgreSQL made the text). Parsing the metadata of a
    # 51-row message page into dicts, only to write them out again, was about a quarter
    # of the Python time of fetching, building and encoding the page (384 -> 284 µs).
    await conn.set_type_codec("json", schema="pg_catalog", encoder=_json_text, decoder=msgspec.Raw)
    # pgvector's vector in binary, for COPY; absent on a schema older than migration 0013.
    vector_schema = await conn.fetchval(_VECTOR_TYPE_SCHEMA)
    if vector_schema is not None:
        await conn.set_type_codec(
            "vector",
            schema=vector_schema,
            encoder=_vector_binary,
            decoder=_vector_from_binary,
            format="binary",
        )


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Instead of asyncpg's reset query on every release (one more round trip per
    request): pooled connections never change session state. asyncpg still rolls
    back a transaction left open."""


async def create_pool(
    database_url: str,
    *,
    min_size: int,
    max_size: int,
    session: dict[str, str] | None = None,
    connect_timeout: float = 60,
    statement_cache_size: int = 100,
) -> asyncpg.Pool:
    """`session`: settings for every connection (the timeouts)."""
    pool = await asyncpg.create_pool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        init=init_connection,
        reset=_keep_session,
        server_settings=session,
        timeout=connect_timeout,
        statement_cache_size=statement_cache_size,
    )
    assert pool is not None
    return pool


async def connect(database_url: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(database_url)
    await init_connection(conn)
    return conn
