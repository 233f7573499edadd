"""Issue 10's failure modes, measured from outside a running `tubebase serve`:

- 40 concurrent logins (correct password, so each one runs argon2) while
  `/health/live` is probed every 20 ms: its p50, p99 and max;
- a lock held on `messages` by another connection: how long the message list takes
  to answer (503 within TUBEBASE_LOCK_TIMEOUT_MS) while unrelated routes answer;
- PostgreSQL stopped for a few seconds and started again under the service: the
  answers counted by status (503s, never 500s) and how soon after PostgreSQL accepts
  connections the first 200 comes.

    python -m tests.perf.failure_modes [--logins-seconds 6] [--outage-seconds 3]

On an embedded server in a temporary directory (it is stopped and started again
for the outage). Not part of the test suite: it measures; tests/api/test_failure_modes.py
holds the behaviour."""

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import asyncpg
import httpx

from service.tooling import migrations
from service.tooling.embedded import EmbeddedPostgres
from tests.net import free_port
from tests.perf.soak import _until_ready

DATABASE = "tubebase_failure_modes"
PASSWORD = "correct horse battery staple"


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000


async def logins(http: httpx.AsyncClient, seconds: float) -> None:
    stop = time.monotonic() + seconds
    probes: list[float] = []
    answers: Counter[int] = Counter()

    async def log_in() -> None:
        while time.monotonic() < stop:
            r = await http.post("/auth/login", json={"login": "ada", "password": PASSWORD})
            answers[r.status_code] += 1

    async def probe() -> None:
        while time.monotonic() < stop:
            started = time.perf_counter()
            await http.get("/health/live")
            probes.append(time.perf_counter() - started)
            await asyncio.sleep(0.02)

    await asyncio.gather(probe(), *(log_in() for _ in range(40)))
    print(
        f"40 concurrent logins for {seconds:.0f} s ({dict(answers)}): /health/live "
        f"p50 {_pct(probes, 0.5):.1f} ms, p99 {_pct(probes, 0.99):.1f} ms, "
        f"max {max(probes) * 1000:.1f} ms over {len(probes)} probes"
    )


async def lock(http: httpx.AsyncClient, url: str, conversation: str) -> None:
    holder = await asyncpg.connect(url)
    try:
        async with holder.transaction():
            await holder.execute("LOCK TABLE messages IN ACCESS EXCLUSIVE MODE")

            async def timed(path: str) -> str:
                started = time.perf_counter()
                r = await http.get(path)
                took = (time.perf_counter() - started) * 1000
                retry = r.headers.get("retry-after")
                return f"{path}: {r.status_code} in {took:,.0f} ms (Retry-After {retry})"

            answers = await asyncio.gather(
                timed(f"/conversations/{conversation}/messages"),
                timed("/users/me"),
                timed("/conversations"),
            )
    finally:
        await holder.close()
    print("a lock held on messages:\n  " + "\n  ".join(answers))


async def outage(
    http: httpx.AsyncClient, server: EmbeddedPostgres, pgdata: Path, url: str, seconds: float
) -> EmbeddedPostgres:
    answers: Counter[str] = Counter()
    back: float | None = None
    first_ok: float | None = None
    served_again = asyncio.Event()
    done = False

    async def poll() -> None:
        nonlocal first_ok
        while not done:
            try:
                r = await http.get("/users/me", timeout=10)
                answers[str(r.status_code)] += 1
                if r.status_code == 200 and back is not None and first_ok is None:
                    first_ok = time.perf_counter() - back
                    served_again.set()
            except httpx.HTTPError as error:
                answers[type(error).__name__] += 1
            await asyncio.sleep(0.02)

    polling = asyncio.create_task(poll())
    await asyncio.sleep(1)
    await asyncio.to_thread(server.stop)
    await asyncio.sleep(seconds)
    server = await asyncio.to_thread(EmbeddedPostgres, pgdata)
    await asyncio.to_thread(server.ensure_database, DATABASE)
    while True:  # when PostgreSQL accepts connections again
        try:
            await (await asyncpg.connect(url, timeout=1)).close()
            break
        except (OSError, asyncpg.PostgresError):
            await asyncio.sleep(0.02)
    back = time.perf_counter()
    with contextlib.suppress(TimeoutError):  # reported as "never"
        await asyncio.wait_for(served_again.wait(), 30)
    await asyncio.sleep(1)
    done = True
    await polling
    when = "never" if first_ok is None else f"{first_ok * 1000:,.0f} ms"
    print(
        f"PostgreSQL stopped for {seconds:.0f} s and started again: answers {dict(answers)}; "
        f"the first 200 {when} after it accepted connections"
    )
    return server


async def run(
    args: argparse.Namespace, server: EmbeddedPostgres, pgdata: Path, url: str, base: str
) -> EmbeddedPostgres:
    await _until_ready(base)
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        account = {"username": "ada", "email": "ada@example.com", "password": PASSWORD}
        (await http.post("/auth/register", json=account)).raise_for_status()
        login = await http.post("/auth/login", json={"login": "ada", "password": PASSWORD})
        http.headers["Authorization"] = f"Bearer {login.json()['token']}"
        conversation = (await http.post("/conversations", json={})).json()["id"]
        message = {"role": "user", "content": "hello"}
        await http.post(f"/conversations/{conversation}/messages", json=message)

        await logins(http, args.logins_seconds)
        await lock(http, url, conversation)
        return await outage(http, server, pgdata, url, args.outage_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins-seconds", type=float, default=6)
    parser.add_argument("--outage-seconds", type=float, default=3)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="tubebase-failure-modes-"))
    pgdata = data_dir / "pg"
    server = EmbeddedPostgres(pgdata)
    service = None
    try:
        url = server.ensure_database(DATABASE)
        migrations.apply(url)
        port = free_port()
        env = dict(os.environ, DATABASE_URL=url, TUBEBASE_LOG_LEVEL="WARNING")
        service = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(port)], env=env
        )
        server = asyncio.run(run(args, server, pgdata, url, f"http://127.0.0.1:{port}"))
    finally:
        if service is not None:
            service.terminate()
            service.wait(15)
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
