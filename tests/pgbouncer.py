"""PgBouncer (transaction pooling) in front of a test database, for
tests/api/test_pgbouncer.py and for TEST_THROUGH_PGBOUNCER=1, which sends the whole
HTTP suite through it."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tests.net import free_port

PGBOUNCER = shutil.which("pgbouncer") or (
    "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
)
STATEMENT_TIMEOUT_MS = 12_345
CONNECT_QUERY = f"connect_query='SET statement_timeout = {STATEMENT_TIMEOUT_MS}'"
IGNORED = "extra_float_digits,statement_timeout,lock_timeout,idle_in_transaction_session_timeout"


@contextmanager
def pgbouncer_in_front_of(direct_url: str) -> Iterator[str]:
    """A URL through PgBouncer to the same database; PgBouncer stops on exit."""
    if PGBOUNCER is None:
        raise RuntimeError("pgbouncer is not installed (apt install pgbouncer)")
    parts = urlsplit(direct_url)
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    host = unquote(query.get("host") or parts.hostname or "localhost")
    port = parts.port or 5432
    user = unquote(parts.username or "postgres")
    password = unquote(parts.password or "")
    database = parts.path.lstrip("/")
    listen = free_port()
    folder = Path(tempfile.mkdtemp(prefix="tubebase-pgbouncer-"))
    (folder / "users.txt").write_text(f'"{user}" "{password}"\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
{database} = host={host} port={port} dbname={database} {CONNECT_QUERY}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
default_pool_size = 10
max_client_conn = 500
ignore_startup_parameters = {IGNORED}
logfile = {folder / "pgbouncer.log"}
"""
    )
    command = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.getuid() == 0:  # PgBouncer will not run as root: as the owner of the socket
        owner = os.stat(host).st_uid if host.startswith("/") else pwd.getpwnam("nobody").pw_uid
        shutil.chown(folder, user=owner)
        for item in folder.iterdir():
            shutil.chown(item, user=owner)
        command[1:1] = ["-u", pwd.getpwuid(owner).pw_name]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", listen), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = folder / "pgbouncer.log"
                    said = log.read_text() if log.exists() else ""
                    raise RuntimeError(f"pgbouncer did not start: {said}") from None
                time.sleep(0.05)
        yield f"postgresql://{user}:{password}@127.0.0.1:{listen}/{database}"
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)
