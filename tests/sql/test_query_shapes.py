"""Rows become Structs positionally, so each query's result columns must match its
Struct's fields in name, order and type. This prepares every file in sql/ against
the migrated database and compares."""

import types
import typing
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
import pytest

from service.db import QUERIES
from service.queries.config import ConfigEntry
from service.queries.conversations import Conversation
from service.queries.messages import Message
from service.queries.sessions import Session
from service.queries.templates import Template
from service.queries.users import Credentials, User

# A Struct, or the Python type of a one-column scalar answer.
SHAPES: dict[str, type] = {
    "users/create": User,
    "users/get_by_id": User,
    "users/get_by_email": User,
    "users/get_by_username": User,
    "users/get_credentials": Credentials,
    "users/list": User,
    "users/count": int,
    "users/exists": bool,
    "users/update": User,
    "users/set_admin": User,
    "users/delete": UUID,
    "sessions/create": Session,
    "sessions/get_by_token": Session,
    "sessions/get_user_by_token": User,
    "sessions/list_by_user": Session,
    "sessions/delete": UUID,
    "sessions/delete_by_token": UUID,
    "sessions/delete_expired": int,
    "sessions/count_by_user": int,
    "conversations/create": Conversation,
    "conversations/get_by_id": Conversation,
    "conversations/list_by_user": Conversation,
    "conversations/count_by_user": int,
    "conversations/exists": bool,
    "conversations/update": Conversation,
    "conversations/delete": UUID,
    "messages/create": Message,
    "messages/create_many": Message,
    "messages/get_by_id": Message,
    "messages/list_by_conversation": Message,
    "messages/get_last_n": Message,
    "messages/count_by_conversation": int,
    "messages/update": Message,
    "messages/delete": UUID,
    "messages/exists": bool,
    "templates/create": Template,
    "templates/get_by_id": Template,
    "templates/list_visible": Template,
    "templates/count_visible": int,
    "templates/resolve": Template,
    "templates/update": Template,
    "templates/delete": UUID,
    "templates/exists": bool,
    "config/get": ConfigEntry,
    "config/list": ConfigEntry,
    "config/count": int,
    "config/set": ConfigEntry,
    "config/delete": str,
    "config/exists": bool,
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


def test_every_query_file_has_a_declared_shape() -> None:
    assert set(QUERIES) == set(SHAPES), "declare new sql/ files in SHAPES"


@pytest.mark.parametrize("name", sorted(SHAPES))
async def test_result_columns_match_the_struct(db: asyncpg.Connection, name: str) -> None:
    statement = await db.prepare(QUERIES[name])
    columns = [(a.name, a.type.name) for a in statement.get_attributes()]
    shape = SHAPES[name]
    if isinstance(shape, type) and issubclass(shape, msgspec.Struct):
        hints = typing.get_type_hints(shape)
        fields = list(shape.__struct_fields__)
        assert [c for c, _ in columns] == fields, f"sql/{name}.sql columns vs {shape.__name__}"
        for column, pg_type in columns:
            assert _compatible(pg_type, hints[column]), (
                f"sql/{name}.sql: column {column} is {pg_type}, "
                f"{shape.__name__}.{column} is {hints[column]}"
            )
    else:
        assert len(columns) == 1, f"sql/{name}.sql should return one column"
        assert _compatible(columns[0][1], shape), f"sql/{name}.sql: {columns[0][1]} vs {shape}"
