"""Rows become Structs positionally, so each query's result columns must match its
Struct's fields in name, order and type. This prepares every file in sql/ against
the migrated database and compares."""

import types
import typing
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
import pytest

from service.db import QUERIES
from service.queries.meetings import MeetingWithParticipants
from service.tooling.generate import header

CREATED = ("created", bool)

# A Struct, the Python type of a one-column scalar answer, or a tuple of Structs and
# (column, type) pairs that the query function splits.
SHAPES: dict[str, Any] = {
    "meetings/get_with_participants": MeetingWithParticipants,
}

PG_TO_PYTHON: dict[str, type] = {
    "uuid": UUID,
    "text": str,
    "varchar": str,
    "bpchar": str,
    "bool": bool,
    "int2": int,
    "int4": int,
    "int8": int,
    "timestamptz": datetime,
    "jsonb": object,  # any JSON value
    "float4": float,
    "float8": float,
    "date": date,
    "text[]": list,
    "record[]": list,  # rows decoded into a list of Structs
}


def _base_type(annotation: Any) -> Any:
    """int from `int | None`, dict from `dict[str, Any]`, str from Literal['a', 'b']."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        (inner,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _base_type(inner)
    if typing.get_origin(annotation) is typing.Literal:
        return type(typing.get_args(annotation)[0])
    return typing.get_origin(annotation) or annotation


def _compatible(pg_type: str, annotation: Any) -> bool:
    expected = PG_TO_PYTHON.get(pg_type)
    if expected is None:
        return False
    return expected is object or _base_type(annotation) is expected


# Files with a generation header are typed by `tubebase db generate` (its --check runs
# in tests/cli/test_generate.py); catalogue/ and tooling/ hold the tooling's own queries.
HAND_BOUND = {
    name
    for name, text in QUERIES.items()
    if not name.startswith(("catalogue/", "tooling/")) and header(text, name) is None
}


def test_every_query_file_has_a_declared_shape() -> None:
    assert set(SHAPES) == HAND_BOUND, "declare new hand-bound sql/ files in SHAPES"


def _expected_columns(shape: Any) -> list[tuple[str | None, Any, str]]:
    """(column name or None for an unnamed scalar, annotation, what declared it)."""
    if isinstance(shape, tuple) and len(shape) == 2 and isinstance(shape[0], str):
        return [(shape[0], shape[1], "column")]
    if isinstance(shape, tuple):
        return [column for part in shape for column in _expected_columns(part)]
    if isinstance(shape, type) and issubclass(shape, msgspec.Struct):
        hints = typing.get_type_hints(shape)
        return [(f, hints[f], f"{shape.__name__}.{f}") for f in shape.__struct_fields__]
    return [(None, shape, "scalar")]


@pytest.mark.parametrize("name", sorted(SHAPES))
async def test_result_columns_match_the_struct(db: asyncpg.Connection, name: str) -> None:
    statement = await db.prepare(QUERIES[name])
    columns = [(a.name, a.type.name) for a in statement.get_attributes()]
    expected = _expected_columns(SHAPES[name])
    assert len(columns) == len(expected), f"sql/{name}.sql: {columns} vs {expected}"
    for (column, pg_type), (field, annotation, origin) in zip(columns, expected, strict=True):
        if field is not None:
            assert column == field, f"sql/{name}.sql: column {column} where {origin} is expected"
        assert _compatible(pg_type, annotation), (
            f"sql/{name}.sql: column {column} is {pg_type}, {origin} is {annotation}"
        )
