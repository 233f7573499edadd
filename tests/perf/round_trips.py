"""Statements PostgreSQL receives per HTTP request, read from its own log.

    python -m tests.perf.round_trips

Starts a PostgreSQL of its own (service/cluster.py) with every statement logged,
serves the app in-process, warms each route up, then sends each once and counts
what the server logged for it: BEGIN, COMMIT and each executed statement are one
round trip each (asyncpg sends Bind/Execute/Sync for a prepared statement)."""

import asyncio
import logging
import re
import tempfile
from pathlib import Path

from litestar.testing import AsyncTestClient

from service.api.app import create_app
from service.cluster import LocalCluster
from service.settings import load_settings
from service.tooling import migrations
from tests.net import free_port

_LOGGED = re.compile(r"LOG:  (statement|execute [^:]*): (.*)")


async def run(cluster: LocalCluster, url: str) -> None:
    settings = load_settings({"TUBEBASE_POOL_MIN_SIZE": "1"})
    async with AsyncTestClient(app=create_app(settings, url)) as client:
        account = {"username": "counter", "email": "counter@example.com", "password": "pw-counter!"}
        await client.post("/auth/register", json=account)
        login = {"login": "counter", "password": account["password"]}
        token = (await client.post("/auth/login", json=login)).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        chat = (await client.post("/conversations", json={"title": "t"}, headers=headers)).json()
        body = [{"role": "user", "content": f"m{i}"} for i in range(60)]
        await client.post(f"/conversations/{chat['id']}/messages/bulk", json=body, headers=headers)
        given = [{"chunk_index": i, "chunk_text": f"the quick fox {i}"} for i in range(5)]
        await client.post(
            "/transcripts",
            json={"youtube_video_id": "abcdefghijk", "transcript_text": "t", "chunks": given},
            headers=headers,
        )
        messages = f"/conversations/{chat['id']}/messages"
        routes = {
            "GET /users/me": ("GET", "/users/me", None),
            "GET /conversations/{id}/messages": ("GET", f"{messages}?limit=50", None),
            "POST /conversations/{id}/messages": (
                "POST",
                messages,
                {"role": "user", "content": "hi"},
            ),
            "GET /search?q=fox": ("GET", "/search?q=fox", None),
            "GET /videos": ("GET", "/videos", None),
        }
        print(f"{'request':<36} {'round trips':>11}   statements")
        for name, (method, path, json_body) in routes.items():
            for _ in range(3):  # prepared and cached, as in steady state
                await client.request(method, path, json=json_body, headers=headers)
            before = cluster.log.stat().st_size
            response = await client.request(method, path, json=json_body, headers=headers)
            assert response.status_code < 300, response.text
            await asyncio.sleep(0.2)  # the log is written asynchronously
            with cluster.log.open() as log:
                log.seek(before)
                statements = [m.group(2)[:40] for line in log if (m := _LOGGED.search(line))]
            print(f"{name:<36} {len(statements):>11}   {' | '.join(statements)}")


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    cluster = LocalCluster(Path(tempfile.mkdtemp(prefix="tubebase-rt-")) / "pg", free_port())
    cluster.init({"log_statement": "'all'"})
    cluster.start()
    try:
        url = cluster.create_database("rt")
        migrations.apply(url)
        asyncio.run(run(cluster, url))
    finally:
        cluster.remove()


if __name__ == "__main__":
    main()
