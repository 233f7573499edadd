"""The soak: tubebase in its scaled-out shape, under load, losing processes.

    python -m tests.perf.soak [--seconds 60] [--users 6]

Starts a PostgreSQL primary and a streaming replica (service/cluster.py: the
embedded default's binaries), PgBouncer in transaction mode in front of the primary
(the `pgbouncer` package), three `tubebase serve` processes (through PgBouncer with
the statement cache off, migrations and LISTEN on the primary directly, heavy reads
on the replica) and two `tubebase worker` processes. Several users then drive mixed
traffic for `--seconds` — post messages, read them back, enqueue jobs, search —
while one service process and one worker are killed (SIGKILL) and restarted. Then it
checks, and prints:

- every acknowledged write (a 201) is in the database;
- every acknowledged job ran exactly once: completed, with its one result, none lost
  or left running (a job whose worker was killed ran again: its first run rolled back);
- no user ever saw another's message, and no read missed the reader's own write
  acknowledged before it (through the replica, read-your-writes);
- and the figures: requests, errors during the kills, jobs, how many reads the
  replica served.

Not part of the test suite. Exit status 1 when a check fails."""

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from service.cluster import LocalCluster
from service.tooling import migrations
from tests.net import free_port
from tests.pgbouncer import pgbouncer_in_front_of

ROOT = Path(__file__).parents[2]
PASSWORD = "soak-password-1234"


class Process:
    """A `python -m service ...` subprocess that can be killed and started again."""

    def __init__(self, args: list[str], env: dict[str, str], name: str) -> None:
        self.args, self.env, self.name = args, env, name
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "service", *self.args],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


async def _until_ready(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient() as http:
        while True:
            try:
                if (await http.get(f"{base}/health/ready", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{base} did not become ready")
            await asyncio.sleep(0.2)


class Tally:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.problems: list[str] = []
        self.acked_messages: dict[str, set[str]] = {}  # conversation id -> contents
        self.acked_jobs: set[str] = set()
        self.owner: dict[str, str] = {}  # conversation id -> username


async def _user(name: str, bases: list[str], tally: Tally, stop_at: float) -> None:
    async with httpx.AsyncClient(timeout=10) as http:

        async def call(method: str, path: str, **kwargs: Any) -> httpx.Response | None:
            for _ in range(len(bases)):  # a killed process: the next one
                base = random.choice(bases)
                try:
                    response = await http.request(method, f"{base}{path}", **kwargs)
                except httpx.HTTPError:
                    tally.counts["connection errors"] += 1
                    continue
                tally.counts["requests"] += 1
                if response.status_code >= 500:
                    tally.counts[f"{response.status_code} answers"] += 1
                    continue
                return response
            return None

        body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        made = await call("POST", "/auth/register", json=body)
        assert made is not None and made.status_code == 201, made
        login = await call("POST", "/auth/login", json={"login": name, "password": PASSWORD})
        assert login is not None and login.status_code == 200
        auth = {"authorization": f"Bearer {login.json()['token']}"}
        started = await call("POST", "/conversations", json={"title": name}, headers=auth)
        assert started is not None and started.status_code == 201
        conversation = started.json()["id"]
        tally.owner[conversation] = name
        mine = tally.acked_messages.setdefault(conversation, set())
        step = 0
        while time.monotonic() < stop_at:
            step += 1
            text = f"{name} {step} {uuid.uuid4().hex[:8]}"
            sent = await call(
                "POST",
                f"/conversations/{conversation}/messages",
                json={"role": "user", "content": text},
                headers=auth,
            )
            if sent is not None and sent.status_code == 201:
                mine.add(text)
            acked_before_read = set(mine)
            page = await call(
                "GET", f"/conversations/{conversation}/messages?last=500", headers=auth
            )
            if page is not None and page.status_code == 200:
                tally.counts["reads"] += 1
                seen = page.json()
                if any(m["conversation_id"] != conversation for m in seen):
                    tally.problems.append(f"{name} saw a message of another conversation")
                if any(not m["content"].startswith(f"{name} ") for m in seen):
                    tally.problems.append(f"{name} saw another user's message")
                contents = {m["content"] for m in seen}
                # The page is the newest 500. A write whose answer a kill cut off may be
                # among them, unacknowledged, so the page starts at its oldest step.
                steps = [int(m["content"].split()[1]) for m in seen]
                floor = min(steps) if len(seen) == 500 else 0
                newest = {t for t in acked_before_read if int(t.split()[1]) >= floor}
                if missing := newest - contents:
                    tally.problems.append(f"{name}: a read missed {len(missing)} own writes")
            if step % 5 == 0:
                job = await call(
                    "POST",
                    "/jobs",
                    json={"job_type": "purge_sessions", "idempotency_key": f"{name}-{step}"},
                    headers=auth,
                )
                if job is not None and job.status_code in (200, 201):
                    tally.acked_jobs.add(job.json()["id"])
            if step % 7 == 0:
                await call("GET", "/search?q=soak", headers=auth)


async def _chaos(
    services: list[Process], workers: list[Process], bases: list[str], at: float
) -> None:
    await asyncio.sleep(at)
    services[0].kill()
    workers[0].kill()
    print(f"killed {services[0].name} and {workers[0].name}", flush=True)
    await asyncio.sleep(2)
    services[0].start()
    workers[0].start()
    await _until_ready(bases[0])
    print(f"restarted {services[0].name} and {workers[0].name}", flush=True)


async def _check(url: str, tally: Tally, replica_reads: dict[str, int]) -> bool:
    conn = await asyncpg.connect(url)
    try:
        deadline = time.monotonic() + 60
        while await conn.fetchval(
            "SELECT count(*) FROM processing_jobs WHERE status IN ('queued', 'running')"
        ):
            if time.monotonic() > deadline:
                tally.problems.append("jobs still queued or running a minute after the load")
                break
            await asyncio.sleep(0.5)
        stored = {
            (str(r["conversation_id"]), r["content"])
            for r in await conn.fetch("SELECT conversation_id, content FROM messages")
        }
        acked = {(c, text) for c, texts in tally.acked_messages.items() for text in texts}
        lost = acked - stored
        if lost:
            tally.problems.append(f"{len(lost)} acknowledged messages are missing")
        jobs = await conn.fetch(
            "SELECT id::text, status, attempts, result FROM processing_jobs"
            " WHERE id = ANY($1::uuid[])",
            list(tally.acked_jobs),
        )
        if len(jobs) != len(tally.acked_jobs):
            tally.problems.append(f"{len(tally.acked_jobs) - len(jobs)} acknowledged jobs are gone")
        not_done = [j for j in jobs if j["status"] != "completed"]
        if not_done:
            tally.problems.append(f"{len(not_done)} jobs did not complete: {not_done[:3]}")
        retried = sum(1 for j in jobs if j["attempts"] > 1)
    finally:
        await conn.close()
    c = tally.counts
    print(f"requests {c['requests']:,}, reads {c['reads']:,}, connection errors "
          f"{c['connection errors']}, 5xx answers "
          f"{sum(v for k, v in c.items() if k.endswith('answers'))}")  # fmt: skip
    print(f"acknowledged messages {len(acked):,}: all present: {not lost} "
          f"({len(stored - acked)} more were stored whose answer a kill cut off)")  # fmt: skip
    once = not not_done and len(jobs) == len(tally.acked_jobs)
    print(f"acknowledged jobs {len(tally.acked_jobs):,}: completed once each: {once} ({retried} "
          "ran again after their worker was killed; the first run rolled back)")  # fmt: skip
    print(f"replica reads: {replica_reads}")
    print("no user saw another's data, every read held the reader's own writes: "
          f"{not any('saw' in p or 'missed' in p for p in tally.problems)}")  # fmt: skip
    for problem in tally.problems[:20]:
        print("PROBLEM:", problem)
    return not tally.problems


async def run(seconds: float, users: int) -> bool:
    parent = Path(tempfile.mkdtemp(prefix="tubebase-soak-"))
    primary = LocalCluster(parent / "primary", free_port())
    replica = LocalCluster(parent / "replica", free_port())
    services: list[Process] = []
    workers: list[Process] = []
    try:
        primary.init()
        primary.start()
        direct = primary.create_database("tubebase")
        migrations.apply(direct)
        replica.replicate(primary)
        replica.start()
        print(f"primary on {primary.port}, streaming replica on {replica.port}", flush=True)
        with pgbouncer_in_front_of(direct) as pooled:
            env = {
                **os.environ,
                "DATABASE_URL": pooled,
                "DATABASE_DIRECT_URL": direct,
                "DATABASE_READ_URL": replica.url("tubebase"),
                "TUBEBASE_STATEMENT_CACHE_SIZE": "0",
                "TUBEBASE_POOL_MAX_SIZE": "10",
                "TUBEBASE_JOB_STALE_SECONDS": "5",
                "TUBEBASE_LOG_LEVEL": "WARNING",
            }
            ports = [free_port() for _ in range(3)]
            bases = [f"http://127.0.0.1:{p}" for p in ports]
            services = [Process(["serve", "--port", str(p)], env, f"serve:{p}") for p in ports]
            workers = [Process(["worker", "--poll", "1"], env, f"worker {i}") for i in (1, 2)]
            for process in [*services, *workers]:
                process.start()
            for base in bases:
                await _until_ready(base)
            print(f"PgBouncer (transaction mode), 3 services, 2 workers; {users} users for "
                  f"{seconds:.0f} s", flush=True)  # fmt: skip
            tally = Tally()
            stop_at = time.monotonic() + seconds
            await asyncio.gather(
                *(_user(f"soak{i}", bases, tally, stop_at) for i in range(users)),
                _chaos(services, workers, bases, seconds / 3),
            )
            async with httpx.AsyncClient() as http:
                reads: Counter[str] = Counter()
                for base in bases:
                    reads.update((await http.get(f"{base}/health/ready")).json()["replica_reads"])
            return await _check(direct, tally, dict(reads))
    finally:
        for process in [*services, *workers]:
            process.stop()
        replica.remove()
        primary.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long the load runs")
    parser.add_argument("--users", type=int, default=6, help="users sending requests at once")
    args = parser.parse_args()
    ok = asyncio.run(run(args.seconds, args.users))
    print("soak: passed" if ok else "soak: FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
