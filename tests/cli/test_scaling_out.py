"""Several service processes on one database: what one process learns (a session, a
logout, failed logins) every other one knows, because it lives in PostgreSQL.
`tubebase serve` runs as real processes here: two on different ports, and one with
`--workers 2` (processes sharing a port)."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from service.tooling import migrations
from tests.net import free_port

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def url(make_database: Callable[[], str]) -> str:
    made = make_database()
    migrations.apply(made)
    return made


@contextmanager
def serving(url: str, *extra: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TUBEBASE_LOG_LEVEL": "WARNING",
        "TUBEBASE_LOGIN_ACCOUNT_FAILURES": "2",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port), *extra],
        env=env,
        cwd=Path(__file__).parents[2],
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, "tubebase serve exited"
            assert time.monotonic() < deadline, "tubebase serve did not become ready"
            time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        process.wait(30)


def _register(base: str, name: str) -> None:
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    made = httpx.post(f"{base}/auth/register", json=body)
    assert made.status_code == 201, made.text


def _login(base: str, name: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(f"{base}/auth/login", json={"login": name, "password": password})


def _me(base: str, token: str) -> int:
    return httpx.get(f"{base}/users/me", headers={"authorization": f"Bearer {token}"}).status_code


def test_two_processes_share_sessions_logouts_and_login_throttling(url: str) -> None:
    with serving(url) as (first, _), serving(url) as (second, _):
        _register(first, "scale_ann")
        token = _login(second, "scale_ann").json()["token"]
        assert (_me(first, token), _me(second, token)) == (200, 200)

        out = httpx.post(f"{first}/auth/logout", headers={"authorization": f"Bearer {token}"})
        assert out.status_code == 204, out.text
        assert _me(second, token) == 401  # the logout on the first process holds here

        _register(second, "scale_ben")
        assert [_login(first, "scale_ben", "wrong password").status_code for _ in range(2)] == [
            401,
            401,
        ]
        throttled = _login(second, "scale_ben")  # the right password, on the other process
        assert throttled.status_code == 429, throttled.text
        assert int(throttled.headers["retry-after"]) >= 1


def _children(pid: int) -> list[int]:
    """The worker processes (not multiprocessing's resource tracker)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            command = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"spawn_main" in command:
                found.append(int(child))
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc for processes")
def test_serve_with_workers_runs_several_processes_on_one_port(url: str) -> None:
    with serving(url, "--workers", "2") as (base, process):
        deadline = time.monotonic() + 30
        while len(_children(process.pid)) < 2:  # uvicorn starts them one by one
            assert time.monotonic() < deadline, _children(process.pid)
            time.sleep(0.1)
        _register(base, "scale_cat")
        token = _login(base, "scale_cat").json()["token"]
        # Each request on a new connection: the kernel hands them to either process.
        assert {_me(base, token) for _ in range(30)} == {200}
        assert len(_children(process.pid)) >= 2
