"""The typed SQL check behind `tubebase db verify`, in the spirit of sqlc.

Every query function in service/queries is called with sample arguments made from
its type hints, against a recorder that captures the SQL and the arguments it would
send. PostgreSQL then describes each statement (libpq describe, nothing executed),
and the description is compared with the function: each parameter's type with the
argument bound to it, each result column's name, order and type with the Struct
the function returns, and — where the column comes straight from a table — its
nullability with the field's. Every file in sql/ must be run by some function."""

import importlib
import inspect
import pkgutil
import types
import typing
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import msgspec
import psycopg
from psycopg import pq

import service.queries
from service.db import QUERIES, Listing
from service.tooling.generate import Catalogue, header

# Python types a value may have to bind to, or to be read from, each PostgreSQL type.
_JSON = (dict, list, str, int, float, bool)
_COMPATIBLE: dict[str, tuple[type, ...]] = {
    "uuid": (uuid.UUID,),
    "text": (str,),
    "varchar": (str,),
    "bpchar": (str,),
    "bool": (bool,),
    "int2": (int,),
    "int4": (int,),
    "int8": (int,),
    "float4": (float, int),
    "float8": (float, int),
    "numeric": (float, int),
    "timestamptz": (datetime,),
    "date": (date,),
    "interval": (float, int),
    "json": _JSON,
    "jsonb": _JSON,
}


class _Captured(Exception):
    def __init__(self, query: str, args: tuple[Any, ...]) -> None:
        self.query, self.args = query, args


class _Copied(Exception):
    """The function writes with COPY: no statement of sql/ to check."""


class _Recorder:
    """Stands in for a connection: the first statement sent stops the function."""

    async def _capture(self, query: str, *args: Any, **_: Any) -> Any:
        raise _Captured(query, args)

    async def copy_records_to_table(self, *_: Any, **__: Any) -> Any:
        raise _Copied

    fetch = fetchrow = fetchval = execute = _capture

    def is_in_transaction(self) -> bool:
        return True


class Column(msgspec.Struct, frozen=True):
    """What the function expects a result column to be."""

    name: str | None  # None: a scalar or an unnamed tuple part
    annotation: Any
    origin: str


class Call(msgspec.Struct, frozen=True):
    function: str
    query_name: str
    args: tuple[Any, ...]
    arg_names: tuple[str, ...]
    columns: tuple[Column, ...] | None


def _strip(annotation: Any) -> tuple[Any, bool]:
    """(the type without Annotated, Optional), whether it was Optional."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        rest = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(rest) < len(typing.get_args(annotation))
        inner, _ = _strip(rest[0])
        return inner, optional
    return annotation, False


def sample(annotation: Any) -> Any:
    """A value of the annotated type (never None), to call a function with."""
    kind, _ = _strip(annotation)
    origin = typing.get_origin(kind)
    if kind is Any:
        return {"sample": True}
    if origin is typing.Literal:
        return typing.get_args(kind)[0]
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        hints = typing.get_type_hints(kind, include_extras=True)
        return kind(**{name: sample(hints[name]) for name in kind.__struct_fields__})
    if origin is tuple:
        return tuple(sample(part) for part in typing.get_args(kind))
    if origin in (list, Sequence) or kind in (list, Sequence):
        args = typing.get_args(kind)
        return [sample(args[0])] if args else ["sample"]
    if origin in (dict, Mapping) or kind in (dict, Mapping):
        return {"sample": True}
    samples: dict[Any, Callable[[], Any]] = {
        uuid.UUID: uuid.uuid4,
        str: lambda: "sample",
        bool: lambda: True,
        int: lambda: 7,
        float: lambda: 0.5,
        datetime: lambda: datetime.now(UTC),
        date: date.today,
    }
    if kind in samples:
        return samples[kind]()
    raise TypeError(f"no sample value for {annotation!r}")


def _expected_columns(annotation: Any, origin: str) -> list[Column] | None:
    """None: the function promises nothing about the columns (it returns Any)."""
    kind, _ = _strip(annotation)
    if kind is Any:
        return None
    if typing.get_origin(kind) is list:
        return _expected_columns(typing.get_args(kind)[0], origin)
    if typing.get_origin(kind) is Listing:
        # A page: its total, then the rows (a search also says whether a bound cut).
        (item,) = typing.get_args(kind)
        rows = _expected_columns(item, origin) or []
        return [Column("total", int, origin), *rows]
    if typing.get_origin(kind) is tuple:
        parts = [_expected_columns(part, origin) for part in typing.get_args(kind)]
        return [c for part in parts for c in part or []]
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        hints = typing.get_type_hints(kind)
        return [Column(f, hints[f], f"{kind.__name__}.{f}") for f in kind.__struct_fields__]
    return [Column(None, annotation, origin)]


def _columns(annotation: Any, origin: str) -> tuple[Column, ...] | None:
    columns = _expected_columns(annotation, origin)
    return None if columns is None else tuple(columns)


def query_functions() -> list[tuple[str, Callable[..., Any]]]:
    found = []
    for info in pkgutil.iter_modules(service.queries.__path__):
        module = importlib.import_module(f"service.queries.{info.name}")
        for name, function in vars(module).items():
            if (
                inspect.iscoroutinefunction(function)
                and function.__module__ == module.__name__
                and not name.startswith("_")
            ):
                found.append((f"{info.name}.{name}", function))
    return sorted(found, key=lambda item: item[0])


async def capture(qualified: str, function: Callable[..., Any]) -> Call | None:
    """What the function sends; None for one that writes with COPY."""
    hints = typing.get_type_hints(function, include_extras=True)
    kwargs = {
        name: sample(hints[name])
        for name, p in inspect.signature(function).parameters.items()
        if (p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty)
        or (p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is None)
    }
    by_identity = {id(value): name for name, value in kwargs.items()}
    try:
        await function(_Recorder(), **kwargs)
    except _Copied:
        return None
    except _Captured as captured:
        names = {text: name for name, text in QUERIES.items()}
        return Call(
            function=qualified,
            query_name=names.get(captured.query, "<inline SQL>"),
            args=captured.args,
            arg_names=tuple(
                by_identity.get(id(a), f"${i + 1}") for i, a in enumerate(captured.args)
            ),
            columns=_columns(hints["return"], qualified),
        )
    raise AssertionError(f"{qualified} ran no SQL")


def _python_type_ok(pg_type: str, value: Any) -> bool:
    if value is None:  # a NULL binds to any type
        return True
    if pg_type.startswith("_"):  # an array: a list of fitting elements
        return isinstance(value, list) and all(_python_type_ok(pg_type[1:], v) for v in value)
    allowed = _COMPATIBLE.get(pg_type)
    if allowed is None:
        return False
    if isinstance(value, bool) and bool not in allowed and allowed != _JSON:
        return False
    return isinstance(value, allowed)


def _annotation_ok(pg_type: str, annotation: Any) -> bool:
    kind, _ = _strip(annotation)
    if kind is Any:
        return True
    if pg_type.startswith("_"):
        return typing.get_origin(kind) is list or kind is list
    allowed = _COMPATIBLE.get(pg_type)
    if allowed is None:
        return False
    if typing.get_origin(kind) is typing.Literal:
        kind = type(typing.get_args(kind)[0])
    kind = typing.get_origin(kind) or kind
    return kind in allowed


def check_call(
    conn: psycopg.Connection[Any],
    call: Call,
    type_names: dict[int, str],
    nullable: dict[tuple[int, int], bool],
) -> list[str]:
    where = f"sql/{call.query_name}.sql (run by {call.function})"
    pgconn = conn.pgconn
    prepared = pgconn.prepare(b"", QUERIES.get(call.query_name, "").encode())
    if prepared.status != pq.ExecStatus.COMMAND_OK:
        return [f"{where}: PostgreSQL refuses it: {prepared.error_message.decode().strip()}"]
    described = pgconn.describe_prepared(b"")
    problems = []
    if described.nparams != len(call.args):
        problems.append(f"{where}: takes {described.nparams} parameters, gets {len(call.args)}")
    for i in range(min(described.nparams, len(call.args))):
        pg_type = type_names.get(described.param_type(i), "?")
        value = call.args[i]
        if not _python_type_ok(pg_type, value):
            problems.append(
                f"{where}: parameter ${i + 1} is {pg_type}, but {call.arg_names[i]} "
                f"passes {type(value).__name__}"
            )
    if call.columns is None:
        return problems
    if described.nfields != len(call.columns):
        got = [described.fname(i).decode() for i in range(described.nfields)]  # type: ignore[union-attr]
        want = [c.name or "?" for c in call.columns]
        return [*problems, f"{where}: returns columns {got}, {call.function} expects {want}"]
    for i, expected in enumerate(call.columns):
        name = described.fname(i).decode()  # type: ignore[union-attr]
        pg_type = type_names.get(described.ftype(i), "?")
        if expected.name is not None and name != expected.name:
            problems.append(f"{where}: column {i + 1} is {name}, {expected.origin} expected")
            continue
        if not _annotation_ok(pg_type, expected.annotation):
            problems.append(
                f"{where}: column {name} is {pg_type}, {expected.origin} is {expected.annotation}"
            )
        source = (described.ftable(i), described.ftablecol(i))
        if expected.name is not None and source[0] and source in nullable:
            _, optional = _strip(expected.annotation)
            # Only one way round: an outer join may make a NOT NULL column NULL.
            if nullable[source] and not optional:
                problems.append(
                    f"{where}: column {name} can be NULL, {expected.origin} "
                    f"is {expected.annotation} (not optional)"
                )
    return problems


async def verify(database_url: str) -> list[str]:
    """Problems found, each naming the file, the column or parameter and both types;
    [] when every query agrees with its function."""
    captured = [await capture(name, function) for name, function in query_functions()]
    calls = [c for c in captured if c is not None]
    problems = [f"{c.function} runs SQL that is not a file in sql/" for c in calls
                if c.query_name == "<inline SQL>"]  # fmt: skip
    # Generated functions are typed from the SQL itself; catalogue/ and tooling/ are the
    # tooling's own (psycopg) statements.
    hand_bound = {
        q
        for q, text in QUERIES.items()
        if not q.startswith(("catalogue/", "tooling/")) and not header(text, q)
    }
    unused = sorted(hand_bound - {c.query_name for c in calls})
    problems += [f"sql/{name}.sql is run by no query function" for name in unused]
    with psycopg.connect(database_url, autocommit=True) as conn:
        catalogue = Catalogue(conn)
        type_names = catalogue.types
        nullable = {key: may_be_null for key, (_, may_be_null) in catalogue.columns.items()}
        for call in calls:
            if call.query_name in hand_bound:
                problems += check_call(conn, call, type_names, nullable)
    return problems
