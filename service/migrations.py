"""Apply, roll back and report migrations through yoyo. The SQL lives in migrations/."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import msgspec
from yoyo import get_backend, read_migrations

from service.resources import MIGRATIONS_DIR


class MigrationStatus(msgspec.Struct, frozen=True):
    id: str
    applied: bool


@contextmanager
def _backend(database_url: str) -> Iterator[Any]:
    backend = get_backend(database_url)
    try:
        yield backend
    finally:
        backend.connection.close()


def _migrations() -> Any:
    return read_migrations(str(MIGRATIONS_DIR))


def apply(database_url: str) -> list[str]:
    """Apply every pending migration; returns the ids applied."""
    with _backend(database_url) as backend, backend.lock():
        pending = backend.to_apply(_migrations())
        backend.apply_migrations(pending)
        return [m.id for m in pending]


def rollback(database_url: str, steps: int | None = 1) -> list[str]:
    """Roll back the newest `steps` applied migrations (all when steps is None)."""
    with _backend(database_url) as backend, backend.lock():
        applied = backend.to_rollback(_migrations())
        chosen = applied if steps is None else applied[:steps]
        backend.rollback_migrations(chosen)
        return [m.id for m in chosen]


def status(database_url: str) -> list[MigrationStatus]:
    with _backend(database_url) as backend:
        applied = backend.get_applied_migration_hashes()
        return [MigrationStatus(m.id, m.hash in applied) for m in _migrations()]
