import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil
import pytest

from service.cli import main
from service.db import connect
from service.queries import sessions, users
from service.tooling import migrations
from tests.net import free_port

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"


@pytest.fixture
def fresh_url(make_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch) -> str:
    url = make_database()
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def _run(coro_factory: Callable[..., object], url: str) -> object:
    async def go() -> object:
        conn = await connect(url)
        try:
            return await coro_factory(conn)  # type: ignore[misc]
        finally:
            await conn.close()

    return asyncio.run(go())


def test_db_apply_status_rollback(fresh_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "status"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("pending")

    assert main(["db", "apply"]) == 0
    assert all(item.applied for item in migrations.status(fresh_url))

    newest_two = [item.id for item in migrations.status(fresh_url)][-2:]
    assert main(["db", "rollback", "--steps", "2"]) == 0
    assert f"{newest_two[1]}, {newest_two[0]}" in capsys.readouterr().out
    assert [s.applied for s in migrations.status(fresh_url)][-2:] == [False, False]

    assert main(["db", "rollback", "--all", "--yes"]) == 0
    assert not any(item.applied for item in migrations.status(fresh_url))


def test_db_url_prints_the_database_in_use(
    fresh_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "url"]) == 0
    assert capsys.readouterr().out.strip() == fresh_url


def test_admin_grant_and_revoke(fresh_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    migrations.apply(fresh_url)
    _run(lambda c: users.create(c, username="carol", email="c@x.io", password_hash=HASH), fresh_url)

    assert main(["admin", "grant", "carol"]) == 0
    found = _run(lambda c: users.get_by_username(c, username="carol"), fresh_url)
    assert found is not None and found.is_admin  # type: ignore[attr-defined]

    assert main(["admin", "revoke", "carol"]) == 0
    found = _run(lambda c: users.get_by_username(c, username="carol"), fresh_url)
    assert found is not None and not found.is_admin  # type: ignore[attr-defined]

    assert main(["admin", "grant", "nobody"]) == 1
    assert "no user named 'nobody'" in capsys.readouterr().err


def test_sessions_purge_removes_only_expired(
    fresh_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    migrations.apply(fresh_url)

    async def seed(conn: object) -> None:
        user = await users.create(conn, username="dave", email="d@x.io", password_hash=HASH)
        await sessions.create(conn, user_id=user.id, token_hash="a" * 64, ttl_seconds=-60)
        await sessions.create(conn, user_id=user.id, token_hash="b" * 64, ttl_seconds=3600)

    _run(seed, fresh_url)
    assert main(["sessions", "purge"]) == 0
    assert capsys.readouterr().out.strip() == "purged 1 expired sessions"
    assert _run(lambda c: sessions.get_by_token(c, token_hash="b" * 64), fresh_url) is not None


def _postgres_running_in(data_dir: Path) -> bool:
    for proc in psutil.process_iter(attrs=("name", "cmdline")):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and str(data_dir) in " ".join(cmdline):
            return True
    return False


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serve_on_embedded_postgres_then_stop_cleanly(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    """The README's first command: no DATABASE_URL, so an embedded server starts,
    migrations apply, HTTP answers; a signal stops the service and PostgreSQL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TUBEBASE_DATA_DIR"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "service not ready within 60 s"
            time.sleep(0.2)
        assert ready.json() == {"status": "ok", "database": "ok"}
        assert _postgres_running_in(tmp_path)
        process.send_signal(stop_signal)
        assert process.wait(timeout=30) == 0
        output = process.stdout.read() if process.stdout else ""
        # Quiet: one line for the migrations, none of yoyo's lines for each step.
        assert len([line for line in output.splitlines() if "migrations applied: " in line]) == 1
        assert "yoyo" not in output and "applying step" not in output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    deadline = time.monotonic() + 10
    while _postgres_running_in(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _postgres_running_in(tmp_path)
    # The data directory survives for the next start.
    assert (tmp_path / "pgdata" / "PG_VERSION").is_file()
