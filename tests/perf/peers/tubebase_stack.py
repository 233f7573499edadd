"""tubebase as a third stack next to peers/sqla and peers/raw (see README.md).

Not part of the product. It drives a *copy* of the tubebase checkout, installed into
the benchmark's venv (``pip install -e /tmp/tb-bench``), so this module imports its
``service`` package: the schema comes from tubebase's own migrations
(``service.tooling.migrations.apply``), the pool from ``service.db.create_pool`` (msgspec JSON
codecs as in production), every operation from ``service.queries.*``, and HTTP is its
own ``serve`` command (or uvicorn with its app factory, see tubebase_asgi.py).

Two in-process variants:

* ``tubebase``: what one HTTP request does around its queries (``provide_db`` in
  service/api/deps.py): acquire a pooled connection, open a transaction, run the query
  function, commit, release. Like sqla's session per call, it pays BEGIN/COMMIT.
* ``tubebase-pool``: the query functions called with the pool itself as executor (no
  transaction), the same access path as peers/raw. It isolates what the query layer
  (typed function + msgspec Structs + JSON codec) adds over bare asyncpg.

tubebase's tables carry ``user_id`` everywhere and every query filters by it, so the
stacks look up the owner of a conversation in a dict built from the seeded rows (the
inputs stay the same for all stacks; a dict lookup is ~50 ns).
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg

from service.tooling import migrations
from service.chunking import NewChunk
from service.db import connect, create_pool
from service.queries import chunks, conversations, messages, sessions, users
from service.security import hash_password, hash_token, new_token
from service.settings import load_settings

BENCH_PASSWORD = "peer-bench-password"  # the seeded users' password (one argon2 hash for all)
BENCH_LOGIN = "peerbench"  # registered over HTTP by the checks

# --------------------------------------------------------------------------- provenance


def source_info() -> dict[str, str]:
    """Where the installed tubebase comes from, and which commit (git, or a COMMIT file
    written next to a copy: ``git -C PROJECT rev-parse HEAD > /tmp/tb-bench/COMMIT``)."""
    import service

    root = Path(service.__file__).resolve().parent.parent
    commit = "unknown"
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        if (root / "COMMIT").is_file():
            commit = (root / "COMMIT").read_text().strip()
    return {"path": str(root), "commit": commit, "version": importlib.metadata.version("tubebase")}


SERVER_PROBE = r"""
import importlib.metadata, importlib.util, json, platform
out = {"python": platform.python_version()}
for pkg in ("tubebase", "litestar", "msgspec", "asyncpg", "uvicorn", "uvloop", "httptools", "h11"):
    try:
        out[pkg] = importlib.metadata.version(pkg)
    except importlib.metadata.PackageNotFoundError:
        out[pkg] = None
# what uvicorn's --loop auto / --http auto pick
out["loop"] = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
out["http"] = "httptools" if importlib.util.find_spec("httptools") else "h11"
print(json.dumps(out))
"""


def server_python_info(python: str) -> dict[str, Any]:
    """Versions, event loop and HTTP parser the tubebase server will run with."""
    res = subprocess.run([python, "-c", SERVER_PROBE], capture_output=True, text=True, timeout=60)
    if res.returncode != 0:
        raise RuntimeError(f"{python} cannot import what the tubebase server needs:\n{res.stderr}")
    return json.loads(res.stdout)


# --------------------------------------------------------------------------- schema and data


async def create_schema(url: str) -> list[str]:
    """tubebase's own migrations (yoyo, advisory-locked, checksummed), as `db apply` runs them."""
    return await asyncio.to_thread(migrations.apply, url)


def seeded_password_hash() -> str:
    return hash_password(BENCH_PASSWORD)


async def seed(url: str, ds: Any, password_hash: str) -> None:
    """The same rows as the peers' databases, filled out for tubebase's schema:
    messages get their conversation's owner as user_id, each transcript gets a video
    (tubebase's transcripts belong to a video), users a real argon2 hash so that they
    can log in. Trigger off while loading, then VACUUM ANALYZE, as for the peers."""
    owner = {c[0]: c[1] for c in ds.conversations}
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("ALTER TABLE messages DISABLE TRIGGER trigger_update_conversation")
        await conn.copy_records_to_table(
            "users",
            records=[(u[0], u[1], u[2], password_hash, u[4], u[5], u[6]) for u in ds.users],
            columns=["id", "username", "email", "password_hash", "is_active", "created_at", "updated_at"],
        )
        await conn.copy_records_to_table(
            "conversations", records=ds.conversations,
            columns=["id", "user_id", "title", "created_at", "updated_at"],
        )
        await conn.copy_records_to_table(
            "messages",
            records=[(m[0], m[1], owner[m[1]], m[2], m[3], m[4], m[5]) for m in ds.messages],
            columns=["id", "conversation_id", "user_id", "role", "content", "metadata", "created_at"],
        )
        videos, transcripts = [], []
        for i, (tid, uid, title, text) in enumerate(ds.transcripts):
            vid = uuid.uuid5(tid, "video")
            videos.append((vid, uid, f"peerbench{i:02d}", title))
            transcripts.append((tid, uid, vid, "upload", "en", text))
        await conn.copy_records_to_table(
            "videos", records=videos, columns=["id", "user_id", "youtube_video_id", "title"])
        await conn.copy_records_to_table(
            "transcripts", records=transcripts,
            columns=["id", "user_id", "video_id", "source", "language", "transcript_text"],
        )
        await conn.execute("ALTER TABLE messages ENABLE TRIGGER trigger_update_conversation")
        # That trigger also keeps conversations.message_count (tubebase's exact total
        # for X-Total-Count): count the loaded messages in, as migration 0010 does,
        # without touching the seeded updated_at.
        await conn.execute("ALTER TABLE conversations DISABLE TRIGGER conversations_set_updated_at")
        await conn.execute(
            "UPDATE conversations c SET message_count ="
            " (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id)"
        )
        await conn.execute("ALTER TABLE conversations ENABLE TRIGGER conversations_set_updated_at")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


# --------------------------------------------------------------------------- in-process stacks


class TubebaseStack:
    """tubebase's query functions inside what a request does (service/api/deps.py
    provide_db): acquire; a read runs as it is, a write in a transaction; release."""

    name = "tubebase"
    # The conversation bump is a statement-level trigger setting updated_at = now()
    # (the transaction's start), while messages.created_at is clock_timestamp(): the
    # bumped updated_at is a little *before* the new message's created_at, not equal.
    bump_equals_created_at = False

    def __init__(self, pool: asyncpg.Pool, owners: dict[uuid.UUID, uuid.UUID],
                 list_limit: int, last_n: int, conversation_page: int) -> None:
        self.pool = pool
        self.owners = owners
        self.list_limit, self.last_n, self.conversation_page = list_limit, last_n, conversation_page

    @classmethod
    async def open(cls, url: str, ds: Any, *, list_limit: int, last_n: int,
                   conversation_page: int) -> TubebaseStack:
        settings = load_settings()  # production pool sizes (2..30) unless TUBEBASE_POOL_* say otherwise
        pool = await create_pool(url, min_size=settings.pool_min_size, max_size=settings.pool_max_size)
        owners = {c[0]: c[1] for c in ds.conversations}
        return cls(pool, owners, list_limit, last_n, conversation_page)

    async def close(self) -> None:
        await self.pool.close()

    async def _read(self, fn: Callable[..., Any], **kw: Any) -> Any:
        async with self.pool.acquire() as conn:
            return await fn(conn, **kw)

    async def _call(self, fn: Callable[..., Any], **kw: Any) -> Any:
        async with self.pool.acquire() as conn, conn.transaction():
            return await fn(conn, **kw)

    async def get_user_by_id(self, user_id):
        return await self._read(users.get_by_id, user_id=user_id)

    async def get_user_by_email(self, email):
        return await self._read(users.get_by_email, email=email)

    async def list_messages(self, conversation_id):
        page = await self._read(
            messages.list_by_conversation, conversation_id=conversation_id,
            user_id=self.owners[conversation_id], limit=self.list_limit, offset=0)
        return page.items

    async def get_last_n(self, conversation_id):
        newest = await self._read(
            messages.list_last_n, conversation_id=conversation_id,
            user_id=self.owners[conversation_id], n=self.last_n)
        return newest.items

    async def list_conversations_by_user(self, user_id):
        page = await self._read(
            conversations.list_by_user, user_id=user_id, limit=self.conversation_page, offset=0)
        return page.items

    async def create_message(self, args):
        conversation_id, role, content, metadata = args
        return await self._call(
            messages.create, conversation_id=conversation_id,
            user_id=self.owners[conversation_id], role=role, content=content, metadata=metadata)

    async def create_many_chunks(self, batch: list[dict[str, Any]]) -> int:
        """chunks.create_many: one binary COPY, returns the count (tubebase has no bulk
        path that returns the rows, so it has no create_many_chunks_bulk row)."""
        first = batch[0]
        new = [NewChunk(c["chunk_index"], c["chunk_text"], c["token_count"], c["metadata"]) for c in batch]
        return await self._call(
            chunks.create_many, user_id=first["user_id"], transcript_id=first["transcript_id"], chunks=new)


class TubebasePoolStack(TubebaseStack):
    """The same query functions with the pool as executor: no transaction, the same
    access path as peers/raw (statement + the pool's reset query on release)."""

    name = "tubebase-pool"

    async def _call(self, fn: Callable[..., Any], **kw: Any) -> Any:
        return await fn(self.pool, **kw)

    _read = _call


STACKS = {TubebaseStack.name: TubebaseStack, TubebasePoolStack.name: TubebasePoolStack}


# --------------------------------------------------------------------------- HTTP


def server_command(python: str, mode: str, workers: int, host: str, port: int) -> tuple[list[str], dict[str, str], str]:
    """The tubebase server process: its `serve` command (the README's way; 1 process,
    it has no --workers), or uvicorn with the app factory in peers/tubebase_asgi.py."""
    if mode == "serve":
        if workers != 1:
            raise ValueError("tubebase serve runs one process; use --tubebase-server uvicorn for --tubebase-workers")
        cmd = [python, "-m", "service", "serve", "--host", host, "--port", str(port)]
        # serve has no access-log switch; at WARNING uvicorn's access logger drops its INFO lines
        env = {"TUBEBASE_LOG_LEVEL": "WARNING"}
        desc = "tubebase serve (python -m service serve), TUBEBASE_LOG_LEVEL=WARNING, 1 process"
    elif mode == "uvicorn":
        cmd = [python, "-m", "uvicorn", "peers.tubebase_asgi:create", "--factory",
               "--host", host, "--port", str(port), "--workers", str(workers),
               "--no-access-log", "--log-level", "warning"]
        env = {"TUBEBASE_LOG_LEVEL": "WARNING"}
        desc = f"uvicorn peers.tubebase_asgi:create --factory --workers {workers} --no-access-log"
    else:
        raise ValueError(mode)
    return cmd, env, desc


async def mint_tokens(url: str, user_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """A live session for every seeded user, made with the function /auth/login calls
    after the password check (sessions.create, only the token's SHA-256 stored). Logging
    1,000 users in over HTTP would cost ~1,000 argon2 verifications; the checks log one
    seeded user and one registered user in over HTTP."""
    ttl = load_settings().session_ttl_seconds
    conn = await connect(url)
    try:
        out = {}
        async with conn.transaction():
            for uid in user_ids:
                token = new_token()
                await sessions.create(conn, user_id=uid, token_hash=hash_token(token), ttl_seconds=ttl)
                out[uid] = token
        return out
    finally:
        await conn.close()


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def http_checks(base: str, ds: Any, tokens: dict[uuid.UUID, str], check: Callable[[bool, str], None],
                      list_limit: int) -> str:
    """Register + log in over HTTP, then the same questions as the peer's checks, with
    tubebase's answers (400 for a bad body, 404 for someone else's conversation)."""
    import httpx

    owner = {c[0]: c[1] for c in ds.conversations}
    async with httpx.AsyncClient(base_url=base, timeout=60.0) as client:
        r = await client.post("/auth/register", json={
            "username": BENCH_LOGIN, "email": f"{BENCH_LOGIN}@example.com", "password": BENCH_PASSWORD})
        check(r.status_code == 201 and "password_hash" not in r.json(), f"tubebase http: register gave {r.status_code}")
        r = await client.post("/auth/login", json={"login": BENCH_LOGIN, "password": BENCH_PASSWORD})
        check(r.status_code == 200 and r.json()["token_type"] == "bearer", f"tubebase http: login gave {r.status_code}")
        r = await client.get("/users/me", headers=bearer(r.json()["token"]))
        check(r.status_code == 200 and r.json()["username"] == BENCH_LOGIN, "tubebase http: /users/me after register")

        # a seeded user logs in with the seeded password; that token replaces the minted one
        uid, username, email = ds.users[0][0], ds.users[0][1], ds.users[0][2]
        r = await client.post("/auth/login", json={"login": username, "password": BENCH_PASSWORD})
        check(r.status_code == 200, f"tubebase http: seeded user login gave {r.status_code}")
        tokens[uid] = r.json()["token"]
        r = await client.get("/users/me", headers=bearer(tokens[uid]))
        body = r.json()
        check(r.status_code == 200 and body["id"] == str(uid) and body["email"] == email
              and "password_hash" not in body, "tubebase http: GET /users/me")
        check((await client.get("/users/me")).status_code == 401, "tubebase http: no token is 401")
        check((await client.get("/users/me", headers=bearer("nope"))).status_code == 401, "tubebase http: bad token is 401")

        cid = ds.long_conversations[1]
        hdr = bearer(tokens[owner[cid]])
        r = await client.get(f"/conversations/{cid}/messages", params={"limit": list_limit}, headers=hdr)
        body = r.json()
        check(r.status_code == 200 and len(body) == list_limit, f"tubebase http: GET messages gave {r.status_code}/{len(body)}")
        check([uuid.UUID(m["id"]) for m in body] == ds.message_ids_by_conversation[cid][:list_limit],
              "tubebase http: message order")
        check(isinstance(body[1]["metadata"], dict), "tubebase http: metadata is a JSON object")
        check(int(r.headers["x-total-count"]) >= len(ds.message_ids_by_conversation[cid]), "tubebase http: X-Total-Count")
        stranger = next(u[0] for u in ds.users if u[0] != owner[cid])
        r = await client.get(f"/conversations/{cid}/messages", headers=bearer(tokens[stranger]))
        check(r.status_code == 404, f"tubebase http: someone else's conversation gave {r.status_code}, expected 404")
        r = await client.get(f"/conversations/{uuid.uuid4()}/messages", headers=hdr)
        check(r.status_code == 404, "tubebase http: missing conversation is 404")
        r = await client.post(f"/conversations/{cid}/messages", headers=hdr,
                              json={"role": "user", "content": "hello", "metadata": {"a": 1}})
        check(r.status_code == 201 and r.json()["metadata"] == {"a": 1}, f"tubebase http: POST message gave {r.status_code}")
        r = await client.post(f"/conversations/{cid}/messages", headers=hdr, json={"role": "bot", "content": "x"})
        check(r.status_code == 400, f"tubebase http: bad role gave {r.status_code}, expected 400")
    return "ok"
