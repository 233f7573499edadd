"""`tubebase db generate`: typed asyncpg + msgspec code written from the SQL files,
in the spirit of sqlc. PostgreSQL is the source of truth for types.

A file opts in with a header of comment lines at its top:

    -- name: get_by_id :opt
    -- params: video_id, user_id
    -- not null: created

`name` is the function and its result kind: `:one` (a row, always there), `:opt`
(a row or None), `:many` (a list of rows), `:page` (the first column is the
whole list's total and the rest are the rows; an empty page is one row whose row
columns are NULL; `:opt_page` is that or None when no row at all comes back, as
when the parent row is not the caller's), `:scalar` (the first column of the one row), `:found`
(whether a row came back, as from `DELETE … RETURNING`) and `:exec` (nothing). `params` names
$1, $2, … in order; a name ending in `?` is optional (None by default), one
ending in `|null` may be None but must be given. Result
columns that come straight from a table column take its NOT NULL; any other
column is optional unless listed under `not null`; `nullable` names the table
columns an outer join can make NULL (PostgreSQL's description cannot tell).

Each statement is prepared against a scratch database built from the migrations
(libpq describe: nothing runs), and from PostgreSQL's description of parameter
and result types the generator writes one module per sql/ folder into
service/queries/generated/. A query whose columns are its table's whole row, in
any order, returns the table's shared Struct (`Video` for videos); others get a
Struct of their own (`AddRow` for videos/add). Rows map to Structs by name: the
generator matches each field with the column of that name and writes the
positions it found, so a reordered SELECT changes the generated code (and
`--check` fails until it is regenerated) instead of swapping values."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import pq

from service.tooling.resources import SQL_DIR

GENERATED_DIR = Path(__file__).parent.parent / "queries" / "generated"

KINDS = ("one", "opt", "many", "page", "opt_page", "scalar", "found", "exec")
_PAGES = ("page", "opt_page")
# The naming scheme: a name's verb says what comes back. Other verbs (create_, update_,
# delete_, exists, claim, upsert, ...) name what the statement does.
_KINDS_OF_VERB = {
    "get_": ("one", "opt", "found"),
    "list_": ("many", "page", "opt_page"),
    "count_": ("scalar",),
}

# PostgreSQL type -> the Python annotation asyncpg reads and writes it as.
PYTHON_TYPES = {
    "uuid": "UUID",
    "text": "str",
    "varchar": "str",
    "bpchar": "str",
    "name": "str",
    "citext": "str",
    "bool": "bool",
    "int2": "int",
    "int4": "int",
    "int8": "int",
    "float4": "float",
    "float8": "float",
    "timestamptz": "datetime",
    "date": "date",
    "interval": "timedelta",
    # json is the pass-through type: its text comes as msgspec.Raw (service/db.py)
    "json": "msgspec.Raw",
    "jsonb": "Any",
    "_text": "list[str]",
    "_varchar": "list[str]",
    "_uuid": "list[UUID]",
    "_int4": "list[int]",
    "_int8": "list[int]",
    "_float4": "list[float]",
    "_float8": "list[float]",
    "_record": "list[Any]",
    "_jsonb": "list[Any]",
    "record": "Any",
}
_IMPORTS = {
    "UUID": "uuid",
    "datetime": "datetime",
    "date": "datetime",
    "timedelta": "datetime",
    "Any": "typing",
    "Annotated": "typing",
}


class HeaderError(ValueError):
    pass


@dataclass(frozen=True)
class Header:
    function: str
    kind: str
    params: list[str] = field(default_factory=list)
    not_null: frozenset[str] = frozenset()
    nullable: frozenset[str] = frozenset()  # table columns an outer join can make NULL
    # tables whose columns the result carries by name (through CTEs, UNIONs), first wins
    returns: str | None = None
    struct: str | None = None  # a named Struct the rows become, shared by the files naming it
    # a page's columns after the total that describe the whole page (read from its first row)
    page: tuple[str, ...] = ()


_HEADER_LINE = re.compile(r"--\s*(name|params|not null|nullable|returns|struct|page):\s*(.*?)\s*$")


def header(text: str, where: str) -> Header | None:
    """The generation header at the top of a file, or None if it has none."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        found = _HEADER_LINE.match(line)
        if found is None:
            break
        values[found.group(1)] = found.group(2)
    if "name" not in values:
        return None
    name, _, kind = values["name"].partition(" :")
    if not name.isidentifier() or kind not in KINDS:
        raise HeaderError(
            f"{where}: `-- name: <function> :<{'|'.join(KINDS)}>`, not {values['name']!r}"
        )
    for verb, kinds in _KINDS_OF_VERB.items():
        if name.startswith(verb) and kind not in kinds:
            raise HeaderError(
                f"{where}: {name} is :{kind}, but a {verb}* query is :{' or :'.join(kinds)}"
            )
    params = [p.strip() for p in values.get("params", "").split(",") if p.strip()]
    for param in params:
        if not param.removesuffix("?").removesuffix("|null").isidentifier():
            raise HeaderError(f"{where}: parameter name {param!r} is not an identifier")
    not_null = frozenset(c.strip() for c in values.get("not null", "").split(",") if c.strip())
    struct = values.get("struct")
    if struct is not None and not all(part.isidentifier() for part in struct.split(".", 1)):
        raise HeaderError(f"{where}: `struct: {struct}` is not a class name")
    nullable = frozenset(c.strip() for c in values.get("nullable", "").split(",") if c.strip())
    page = tuple(c.strip() for c in values.get("page", "").split(",") if c.strip())
    if page and kind not in _PAGES:
        raise HeaderError(f"{where}: `page:` columns belong to a :page query, not :{kind}")
    return Header(name, kind, params, not_null, nullable, values.get("returns"), struct, page)


@dataclass(frozen=True)
class Column:
    name: str
    annotation: str
    nullable: bool
    source: tuple[int, int]  # (table oid, attnum); (0, 0) for an expression


@dataclass(frozen=True)
class Param:
    name: str
    annotation: str
    nullable: bool
    optional: bool  # None by default

    def __str__(self) -> str:
        return f"{self.name}: {_optional(self.annotation, self.nullable)}" + (
            " = None" if self.optional else ""
        )


@dataclass(frozen=True)
class Query:
    path: str  # videos/get_by_id
    header: Header
    params: list["Param"]
    columns: list[Column]


class Catalogue:
    """What the generator needs to know of the database: type names, column
    nullability and each table's row in column order."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.types: dict[int, str] = dict(conn.execute(_CATALOGUE_TYPES).fetchall())
        self.columns: dict[tuple[int, int], tuple[str, bool]] = {}
        self.rows: dict[int, list[str]] = {}
        self.tables: dict[int, str] = {}
        # table -> [(column, n)] for its varchar(n) columns
        self.lengths: dict[str, list[tuple[str, int]]] = {}
        for table_oid, table, attnum, column, not_null, max_length in conn.execute(
            _CATALOGUE_COLUMNS
        ):
            self.columns[(table_oid, attnum)] = (column, not not_null)
            self.rows.setdefault(table_oid, []).append(column)
            self.tables[table_oid] = table
            if max_length is not None:
                self.lengths.setdefault(table, []).append((column, max_length))
        self.json_shapes: dict[tuple[int, int], str] = {
            (table_oid, attnum): _JSON_SHAPES[shape]
            for table_oid, attnum, shape in conn.execute(_CATALOGUE_JSON_SHAPES)
        }

    def annotation(self, type_oid: int, where: str) -> str:
        name = self.types.get(type_oid, "?")
        if name not in PYTHON_TYPES:
            raise HeaderError(f"{where}: no Python type for PostgreSQL type {name}")
        return PYTHON_TYPES[name]


_CATALOGUE_TYPES = (SQL_DIR / "catalogue" / "types.sql").read_text()
_CATALOGUE_COLUMNS = (SQL_DIR / "catalogue" / "columns.sql").read_text()
_CATALOGUE_JSON_SHAPES = (SQL_DIR / "catalogue" / "json_shapes.sql").read_text()
_JSON_SHAPES = {"object": "dict[str, Any]", "array": "list[Any]"}


def describe(catalogue: Catalogue, path: str, text: str, head: Header) -> Query:
    where = f"sql/{path}.sql"
    pgconn = catalogue.conn.pgconn
    prepared = pgconn.prepare(b"", text.encode())
    if prepared.status != pq.ExecStatus.COMMAND_OK:
        raise HeaderError(
            f"{where}: PostgreSQL refuses it: {prepared.error_message.decode().strip()}"
        )
    described = pgconn.describe_prepared(b"")
    if described.nparams != len(head.params):
        raise HeaderError(
            f"{where}: takes {described.nparams} parameters, the header names {len(head.params)}"
        )
    params = [
        Param(
            name.removesuffix("?").removesuffix("|null"),
            catalogue.annotation(described.param_type(i), where),
            nullable=name.endswith(("?", "|null")),
            optional=name.endswith("?"),
        )
        for i, name in enumerate(head.params)
    ]
    declared: dict[str, tuple[int, int]] = {}
    for table in (t.strip() for t in (head.returns or "").split(",") if t.strip()):
        oid = next((o for o, t in catalogue.tables.items() if t == table), None)
        if oid is None:
            raise HeaderError(f"{where}: `returns: {table}` names no table")
        for key, (column, _) in catalogue.columns.items():
            if key[0] == oid:
                declared.setdefault(column, key)  # the first table listed wins
    columns = []
    for i in range(described.nfields):
        name = (described.fname(i) or b"?").decode()
        source = (described.ftable(i), described.ftablecol(i))
        if not source[0] and name in declared:
            source = declared[name]
        known = catalogue.columns.get(source)
        nullable = name in head.nullable or (
            name not in head.not_null and (known is None or known[1])
        )
        annotation = catalogue.annotation(described.ftype(i), where)
        if annotation == "Any":
            annotation = catalogue.json_shapes.get(source, annotation)
        columns.append(Column(name, annotation, nullable, source))
    if head.kind == "exec" and columns:
        raise HeaderError(f"{where}: an :exec query returns no columns")
    if head.kind != "exec" and not columns:
        raise HeaderError(f"{where}: a :{head.kind} query must return columns")
    if head.kind in _PAGES and (len(columns) < 2 or columns[0].annotation != "int"):
        raise HeaderError(f"{where}: a :page query returns the total (an integer) first")
    return Query(path, head, params, columns)


def _singular(table: str) -> str:
    words = table.split("_")
    last = words[-1]
    last = last[:-3] + "y" if last.endswith("ies") else last[:-1] if last.endswith("s") else last
    return "".join(w.capitalize() for w in [*words[:-1], last])


def _camel(name: str) -> str:
    return "".join(w.capitalize() for w in name.split("_"))


@dataclass
class Module:
    folder: str
    structs: dict[str, list[Column]] = field(default_factory=dict)  # name -> fields in order
    functions: list[str] = field(default_factory=list)
    constants: list[str] = field(default_factory=list)
    # (column, n) for each varchar(n) column of the table the folder is named after
    lengths: list[tuple[str, int]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    # Structs of other folders' modules (`struct: users.User`): name -> folder
    borrowed: dict[str, str] = field(default_factory=dict)
    others: dict[str, "Module"] = field(default_factory=dict)

    def fields(self, struct: str) -> list[Column]:
        if struct in self.borrowed:
            return self.others[self.borrowed[struct]].structs[struct]
        return self.structs[struct]


def _row_struct(
    module: Module, catalogue: Catalogue, query: Query, columns: list[Column]
) -> tuple[str, list[Column]]:
    """The Struct a query's rows become and the columns that come after it: its
    table's shared row when the columns include that whole row (the rest, such as
    `created`, come back beside it), else a Struct of the query's own. A header's
    `struct: Name` makes all the columns one Struct, shared with every file naming it."""
    if query.header.struct is not None:
        folder, _, name = query.header.struct.rpartition(".")
        owner = module.others.get(folder) if folder else module
        known = {c.name for c in owner.structs.get(name, [])} if owner else set()
        if known and known < {c.name for c in columns}:
            inside = [c for c in columns if c.name in known]
            return _named_struct(module, catalogue, query, inside), [
                c for c in columns if c.name not in known
            ]
        return _named_struct(module, catalogue, query, columns), []
    # Only the product's tables have shared rows (a system view's columns do not).
    for table_oid in dict.fromkeys(c.source[0] for c in columns if c.source[0] in catalogue.rows):
        row = catalogue.rows[table_oid]
        by_name = {c.name: c for c in columns if c.source[0] == table_oid}
        if set(row) <= set(by_name):
            name = _singular(catalogue.tables[table_oid])
            fields = [by_name[n] for n in row]
            # the table's own nullability: in a page the outer join's NULLs are the marker
            fields = [
                Column(c.name, c.annotation, catalogue.columns[c.source][1], c.source)
                for c in fields
            ]
            module.structs.setdefault(name, fields)
            extras = [c for c in columns if c.name not in set(row)]
            return name, extras
    name = f"{_camel(query.header.function)}Row"
    module.structs[name] = columns
    return name, []


def _named_struct(module: Module, catalogue: Catalogue, query: Query, columns: list[Column]) -> str:
    name = query.header.struct
    assert name is not None
    fields = [
        Column(c.name, c.annotation, catalogue.columns[c.source][1], c.source)
        if query.header.kind in _PAGES and c.source[0] and c.name not in query.header.not_null
        else c
        for c in columns
    ]
    if "." in name:
        folder, name = name.split(".", 1)
        other = module.others.get(folder)
        known = None if other is None else other.structs.get(name)
        if known is None:
            raise HeaderError(
                f"sql/{query.path}.sql: `struct: {folder}.{name}` is no Struct of sql/{folder}/"
            )
        module.borrowed[name] = folder
    else:
        known = module.structs.get(name)
    if known is None:
        module.structs[name] = fields
        return name
    shape = {(c.name, c.annotation, c.nullable) for c in fields}
    if shape != {(c.name, c.annotation, c.nullable) for c in known}:
        differ = sorted(shape ^ {(c.name, c.annotation, c.nullable) for c in known})
        raise HeaderError(f"sql/{query.path}.sql: its {name} differs from the first one: {differ}")
    return name


def _construct(struct: str, fields: list[Column], columns: list[Column], offset: int) -> str:
    position = {c.name: i for i, c in enumerate(columns) if i >= offset}
    indices = [position[f.name] for f in fields]
    if indices == list(range(offset, len(columns))):
        return f"{struct}(*row)" if offset == 0 else f"{struct}(*row[{offset}:])"
    if indices == list(range(offset, offset + len(fields))):
        return f"{struct}(*row[{offset or ''}:{offset + len(fields)}])"
    return f"{struct}({', '.join(f'row[{i}]' for i in indices)})"


def _optional(annotation: str, nullable: bool) -> str:
    return f"{annotation} | None" if nullable else annotation


def _function(module: Module, catalogue: Catalogue, query: Query) -> str:
    head = query.header
    constant = "_" + head.function.upper()
    module.constants.append(f'{constant} = sql("{query.path}")')
    signature = ", ".join(str(param) for param in query.params)
    for param in query.params:
        module.used.add(param.annotation)
    args = "".join(f", {param.name}" for param in query.params)
    keyword = f", *, {signature}" if signature else ""
    for column in query.columns:
        module.used.add(column.annotation)
    kind = head.kind
    if kind == "exec":
        returns, body = "None", f"    await db.execute({constant}{args})"
    elif kind == "scalar":
        first = query.columns[0]
        returns = _optional(first.annotation, first.nullable)
        body = f"    value: {returns} = await db.fetchval({constant}{args})\n    return value"
    elif kind == "found":
        returns, body = "bool", f"    return await db.fetchrow({constant}{args}) is not None"
    elif kind in _PAGES:
        start = 1 + len(head.page)
        per_page = query.columns[1:start]
        if [c.name for c in per_page] != list(head.page):
            raise HeaderError(
                f"sql/{query.path}.sql: the page's own columns {list(head.page)} come right "
                "after the total"
            )
        struct, extras = _row_struct(module, catalogue, query, query.columns[start:])
        if extras:
            raise HeaderError(f"sql/{query.path}.sql: a page's rows are one Struct, not {extras}")
        fields = module.fields(struct)
        about = "".join(f", {_optional(c.annotation, c.nullable)}" for c in per_page)
        returns = f"tuple[int, list[{struct}]{about}]"
        build = _construct(struct, fields, query.columns, start)
        marker = f"row[{start + [c.name for c in query.columns[start:]].index(fields[0].name)}]"
        body = f"    rows = await db.fetch({constant}{args})\n"
        if kind == "opt_page":
            returns += " | None"
            body += "    if not rows:\n        return None\n"
        also = "".join(f", rows[0][{i}]" for i in range(1, start))
        body += f"    return rows[0][0], [{build} for row in rows if {marker} is not None]{also}"
    else:
        struct, extras = _row_struct(module, catalogue, query, query.columns)
        build = _construct(struct, module.fields(struct), query.columns, 0)
        item = struct
        if extras:
            position = {c.name: i for i, c in enumerate(query.columns)}
            build = f"({build}, {', '.join(f'row[{position[c.name]}]' for c in extras)})"
            item = (
                f"tuple[{struct}, {', '.join(_optional(c.annotation, c.nullable) for c in extras)}]"
            )
        if kind == "many":
            returns = f"list[{item}]"
            body = f"    return [{build} for row in await db.fetch({constant}{args})]"
        elif kind == "opt":
            returns = f"{item} | None"
            body = (
                f"    row = await db.fetchrow({constant}{args})\n"
                f"    return None if row is None else {build}"
            )
        else:
            returns = item
            body = f"    row = await db.fetchrow({constant}{args})\n    return {build}"
    line = f"async def {head.function}(db: Executor{keyword}) -> {returns}:"
    if len(line) > 100:
        listed = "".join(f"    {param},\n" for param in query.params)
        line = f"async def {head.function}(\n    db: Executor,\n    *,\n{listed}) -> {returns}:"
    return f"{line}\n{body}\n"


def _render(module: Module) -> str:
    lines = [
        f'"""Generated by `tubebase db generate` from sql/{module.folder}/: do not edit."""',
        "",
    ]
    used = {name for annotation in module.used for name in re.findall(r"\w+", annotation)}
    used |= {
        name
        for fields in module.structs.values()
        for c in fields
        for name in re.findall(r"\w+", c.annotation)
    }
    if module.lengths:
        used.add("Annotated")
    by_module: dict[str, list[str]] = {}
    for name in sorted(n for n in used if n in _IMPORTS):
        by_module.setdefault(_IMPORTS[name], []).append(name)
    stdlib = [f"from {m} import {', '.join(names)}" for m, names in sorted(by_module.items())]
    # import blocks as isort orders them: standard library, third party, this project
    blocks = [stdlib, ["import msgspec"] if module.structs or module.lengths else []]
    for block in (b for b in blocks if b):
        lines += [*block, ""]
    lines += ["from service.db import Executor, sql"]
    lines += [
        f"from service.queries.generated.{folder} import {name}"
        for name, folder in sorted(module.borrowed.items(), key=lambda item: (item[1], item[0]))
    ]
    if module.lengths:
        clashes = {_camel(c) for c, _ in module.lengths} & (
            set(module.structs) | set(module.borrowed)
        )
        if clashes:
            raise HeaderError(
                f"sql/{module.folder}/: the length type of column {sorted(clashes)[0]} would "
                "shadow a result Struct of that name; rename the Struct (`-- struct:`)"
            )
        lines += [
            "",
            f"# The length limit of each varchar column of {module.folder}, as the schema sets it:",
            "# the input Structs that write a column take its limit from here.",
        ]
        lines += [
            f"{_camel(column)} = Annotated[str, msgspec.Meta(max_length={n})]"
            for column, n in module.lengths
        ]
    # isort: two blank lines after the imports before a class, one before assignments
    lines += ["", ""] if module.structs else [""]
    for name, fields in module.structs.items():
        lines.append(f"class {name}(msgspec.Struct, frozen=True, gc=False):")
        lines += [f"    {c.name}: {_optional(c.annotation, c.nullable)}" for c in fields]
        lines += ["", ""]
    lines += module.constants
    lines += ["", ""]
    lines.append("\n\n".join(module.functions).rstrip("\n"))
    return "\n".join(lines) + "\n"


def generate(database_url: str, sql_dir: Path = SQL_DIR) -> dict[Path, str]:
    """Every generated module's path and text, from the files in sql/ that have a
    header. Raises HeaderError naming the file at fault."""
    modules: dict[str, Module] = {}
    with psycopg.connect(database_url, autocommit=True) as conn:
        catalogue = Catalogue(conn)
        headed = []
        for path in sorted(sql_dir.rglob("*.sql")):
            name = path.relative_to(sql_dir).with_suffix("").as_posix()
            text = path.read_text()
            head = header(text, f"sql/{name}.sql")
            if head is not None:
                headed.append((name, text, head))
        # Files that borrow another folder's Struct come after the one defining it.
        headed.sort(key=lambda item: ("." in (item[2].struct or ""), item[0]))
        for name, text, head in headed:
            folder = name.split("/")[0]
            module = modules.setdefault(
                folder, Module(folder, lengths=catalogue.lengths.get(folder, []), others=modules)
            )
            query = describe(catalogue, name, text, head)
            module.functions.append(_function(module, catalogue, query))
    rendered = {GENERATED_DIR / f"{folder}.py": _render(m) for folder, m in modules.items()}
    rendered[GENERATED_DIR / "__init__.py"] = (
        '"""Query functions and result Structs generated from sql/ by `tubebase db generate`."""\n'
    )
    return rendered


def stale(rendered: dict[Path, str]) -> list[Path]:
    """The generated files that differ from what generation writes now (or that
    generation no longer writes)."""
    existing = set(GENERATED_DIR.glob("*.py")) if GENERATED_DIR.exists() else set()
    changed = [p for p, text in rendered.items() if not p.exists() or p.read_text() != text]
    return sorted(changed + [p for p in existing if p not in rendered])


def write(rendered: dict[Path, str]) -> list[Path]:
    """Writes what changed; removes modules no SQL folder generates any more."""
    GENERATED_DIR.mkdir(parents=True, exist_ok=True)
    changed = stale(rendered)
    for path in changed:
        if path in rendered:
            path.write_text(rendered[path])
        else:
            path.unlink()
    return changed
