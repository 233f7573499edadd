"""Apply, roll back and report migrations through yoyo; the SQL lives in migrations/.

Around yoyo: an advisory lock so concurrent `apply` runs take turns (each migration
applies once), a content checksum of every migration applied through here (yoyo
only hashes file names), a refusal to roll back past a migration whose rollback
file is marked `-- irreversible: <reason>`, and `new` to start a numbered pair.

A checksum row also records when yoyo marked its migration applied: a migration
rolled back with plain yoyo (and perhaps edited, and applied again with plain yoyo)
leaves a row that no longer describes what is applied. Such rows are ignored by
`recorded_checksums` and deleted by the next `apply` or `rollback`."""

import hashlib
import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec
import psycopg
from psycopg import sql
from yoyo import get_backend, read_migrations

from service.startup import StartupError
from service.tooling.resources import MIGRATIONS_DIR, tooling_sql

# pg_advisory_lock key: "tubebase" as a number, shared by every tubebase process.
_LOCK_KEY = int.from_bytes(b"tubebase", "big") & 0x7FFF_FFFF_FFFF_FFFF
CHECKSUM_TABLE = "tubebase_migration_checksums"
YOYO_TABLE = "_yoyo_migration"  # yoyo's default table of applied migrations
_IRREVERSIBLE = re.compile(r"^--\s*irreversible:\s*(.+)$", re.MULTILINE)


class MigrationStatus(msgspec.Struct, frozen=True):
    id: str
    applied: bool


class IrreversibleMigrationError(RuntimeError):
    pass


def rollback_path(migration_id: str, source: Path = MIGRATIONS_DIR) -> Path:
    return source / f"{migration_id}.rollback.sql"


def checksum(migration_id: str, source: Path = MIGRATIONS_DIR) -> str:
    """SHA-256 of the migration and its rollback, as they are on disk now."""
    digest = hashlib.sha256((source / f"{migration_id}.sql").read_bytes())
    rollback = rollback_path(migration_id, source)
    if rollback.exists():
        digest.update(rollback.read_bytes())
    return digest.hexdigest()


def irreversible_reason(migration_id: str, source: Path = MIGRATIONS_DIR) -> str | None:
    rollback = rollback_path(migration_id, source)
    if not rollback.exists():
        return None
    found = _IRREVERSIBLE.search(rollback.read_text())
    return found.group(1).strip() if found else None


@contextmanager
def _exclusive(database_url: str) -> Iterator[Any]:
    """A session-level advisory lock held while yoyo works, and the connection that
    holds it (also used to keep the checksum table)."""
    conn = psycopg.connect(database_url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(tooling_sql("migrations_lock"), (_LOCK_KEY,))
            cur.execute(tooling_sql("migrations_create_checksums").format(checksums=_CHECKSUMS))
        yield conn
    finally:
        conn.close()  # ends the session, which releases the lock


def yoyo_url(database_url: str) -> str:
    """The URL as yoyo wants it: yoyo picks its driver by the scheme, and
    postgresql+psycopg is psycopg 3's (plain postgresql:// would ask for psycopg2)."""
    scheme, sep, rest = database_url.partition("://")
    if sep and scheme.lower() in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return database_url


@contextmanager
def _backend(database_url: str) -> Iterator[Any]:
    backend = get_backend(yoyo_url(database_url))
    try:
        yield backend
    finally:
        backend.connection.close()


def _migrations(source: Path) -> Any:
    return read_migrations(str(source))


def _yoyo_table_name(backend: Any) -> str:
    return str(getattr(backend, "migration_table", YOYO_TABLE))


_CHECKSUMS = sql.Identifier(CHECKSUM_TABLE)


def _current(yoyo_table: str) -> sql.Composed:
    return tooling_sql("migrations_current").format(yoyo=sql.Identifier(yoyo_table))


def _forget_stale(conn: Any, backend: Any) -> None:
    """Deletes the checksum rows of migrations that plain yoyo rolled back since."""
    with conn.cursor() as cur:
        cur.execute(tooling_sql("migrations_tables_exist"), ([_yoyo_table_name(backend)],))
        row = cur.fetchone()
        if row is None or not row[0]:  # yoyo makes its table when it first needs it
            return
        cur.execute(
            tooling_sql("migrations_forget_stale").format(
                checksums=_CHECKSUMS, current=_current(_yoyo_table_name(backend))
            )
        )


# The first migration that needs pgvector (the one extension tubebase uses).
NEEDS_PGVECTOR = "0013.semantic_retrieval"
PGVECTOR_AT_LEAST = (0, 5)  # HNSW indexes (0.8 adds the iterative scans filters want)


class MissingExtension(StartupError):
    """The server cannot give this database pgvector: the message says how to fix it."""


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text.split("-")[0])[:3])


def _require_pgvector(conn: Any) -> None:
    with conn.cursor() as cur:
        cur.execute(tooling_sql("vector_extension"))
        installed, available, superuser, role, database = cur.fetchone()
    if installed is not None and _version(installed) < PGVECTOR_AT_LEAST:
        raise MissingExtension(
            f"tubebase needs pgvector 0.5.0 or newer, and this database has {installed}: "
            "install a newer pgvector on the server, then run ALTER EXTENSION vector UPDATE; "
            "and migrate again"
        )
    if installed is not None:
        return
    if available is not None and _version(available) < PGVECTOR_AT_LEAST:
        raise MissingExtension(
            f"tubebase needs pgvector 0.5.0 or newer, and this server has {available}: "
            "install a newer one (Docker: the pgvector/pgvector:pg16 image)"
        )
    if available is None:
        raise MissingExtension(
            "this PostgreSQL server does not have the pgvector extension, which tubebase needs "
            "(migration 0013): install it on the server (Debian/Ubuntu: apt install "
            "postgresql-16-pgvector; Docker: the pgvector/pgvector:pg16 image), or unset "
            "DATABASE_URL to use the embedded server, which bundles it"
        )
    if not superuser:
        raise MissingExtension(
            f"creating the pgvector extension needs a superuser, and {role} is not one: "
            f"ask one to run CREATE EXTENSION vector; in database {database}, then migrate again"
        )


def apply(
    database_url: str, source: Path = MIGRATIONS_DIR, only: Collection[str] | None = None
) -> list[str]:
    """Apply every pending migration (or only those named), each in its own
    transaction; returns the ids applied. A failing migration raises and leaves the
    database as it was before it."""
    with _exclusive(database_url) as lock_conn, _backend(database_url) as backend:
        known = _migrations(source)
        _forget_stale(lock_conn, backend)
        pending = [m for m in backend.to_apply(known) if only is None or m.id in only]
        if any(m.id == NEEDS_PGVECTOR for m in pending):
            _require_pgvector(lock_conn)
        record = tooling_sql("migrations_record_checksum").format(
            checksums=_CHECKSUMS, yoyo=sql.Identifier(_yoyo_table_name(backend))
        )
        for migration in pending:
            # One at a time, so each one's checksum is recorded as soon as it is in.
            backend.apply_migrations_only(known.__class__([migration]))
            with lock_conn.cursor() as cur:
                cur.execute(record, (migration.id, checksum(migration.id, source), migration.id))
        if pending:
            backend.run_post_apply(known)
        return [m.id for m in pending]


def rollback(database_url: str, steps: int | None = 1, source: Path = MIGRATIONS_DIR) -> list[str]:
    """Roll back the newest `steps` applied migrations (all when steps is None).
    Refuses, before touching anything, to cross an irreversible migration."""
    with _exclusive(database_url) as lock_conn, _backend(database_url) as backend:
        applied = backend.to_rollback(_migrations(source))
        chosen = applied if steps is None else applied[:steps]
        for migration in chosen:
            reason = irreversible_reason(migration.id, source)
            if reason is not None:
                raise IrreversibleMigrationError(
                    f"migration {migration.id} is irreversible ({reason}); nothing was rolled back"
                )
        backend.rollback_migrations(chosen)
        _forget_stale(lock_conn, backend)
        return [m.id for m in chosen]


def status(database_url: str, source: Path = MIGRATIONS_DIR) -> list[MigrationStatus]:
    with _backend(database_url) as backend:
        applied = backend.get_applied_migration_hashes()
        return [MigrationStatus(m.id, m.hash in applied) for m in _migrations(source)]


def recorded_checksums(database_url: str) -> dict[str, str]:
    """Checksums recorded when migrations were applied through tubebase, of those
    migrations only that are still applied as they were then (not rolled back, nor
    applied again, by plain yoyo since)."""
    conn = psycopg.connect(database_url)
    try:
        with conn.cursor() as cur:
            cur.execute(tooling_sql("migrations_tables_exist"), ([CHECKSUM_TABLE, YOYO_TABLE],))
            row = cur.fetchone()
            if row is None or not row[0]:
                return {}
            cur.execute(
                tooling_sql("migrations_list_checksums").format(
                    checksums=_CHECKSUMS, current=_current(YOYO_TABLE)
                )
            )
            return dict(cur.fetchall())
    finally:
        conn.close()


def migration_ids(source: Path = MIGRATIONS_DIR) -> list[str]:
    return sorted(p.name.removesuffix(".sql") for p in source.glob("[0-9]*.sql")
                  if not p.name.endswith(".rollback.sql"))  # fmt: skip


def new(name: str, *, irreversible: str | None = None, source: Path = MIGRATIONS_DIR) -> Path:
    """Create the next numbered migration and its rollback; returns the migration's path."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,59}", name):
        raise ValueError("a migration name is lowercase letters, digits and _, e.g. add_tags")
    ids = migration_ids(source)
    number = int(ids[-1].split(".", 1)[0]) + 1 if ids else 1
    migration_id = f"{number:04d}.{name}"
    forward, backward = source / f"{migration_id}.sql", rollback_path(migration_id, source)
    if forward.exists() or backward.exists():
        raise FileExistsError(f"{forward} already exists")
    depends = f"-- depends: {ids[-1]}\n" if ids else ""
    forward.write_text(f"{depends}-- {name.replace('_', ' ')}: write the change here.\n")
    if irreversible:
        backward.write_text(
            f"-- irreversible: {irreversible}\n"
            "DO $$ BEGIN\n"
            f"    RAISE EXCEPTION 'migration {migration_id} is irreversible';\n"
            "END $$;\n"
        )
    else:
        backward.write_text(f"-- Undo {migration_id} exactly.\n")
    return forward
