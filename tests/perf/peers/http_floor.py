"""The HTTP floor: tubebase's own SQL on tubebase's pool, behind a bare ASGI callable.

Not part of the product. It answers the benchmark's three tubebase requests
(`GET /users/me`, `GET /conversations/{id}/messages?limit=N`, `POST
/conversations/{id}/messages`) with the statements tubebase runs for them (the token
lookup for /users/me; for the messages one statement that checks the token itself),
on a pool made by `service.db.create_pool` with the service's settings, and encodes
the rows with msgspec. What it leaves out is
everything a framework and a careful service add: routing, validation, dependency
injection, error answers, security headers, paging links. So its req/s is about the
most a single uvicorn process with asyncpg can do on this machine, and tubebase's
distance from it is the cost of Litestar and tubebase's own request path.

    DATABASE_URL=postgresql://... uvicorn peers.http_floor:app --no-access-log
"""

from __future__ import annotations

import os
import re
import uuid
from typing import Any

import msgspec

from service.db import create_pool, sql
from service.security import hash_token
from service.settings import load_settings

_TOKEN = sql("sessions/get_user_by_token")
_CREATE = sql("messages/create_for_session")
_LIST = sql("messages/list_by_conversation_for_session")
_MESSAGES = re.compile(r"^/conversations/([0-9a-f-]{36})/messages$")
_encode = msgspec.json.Encoder().encode
_pool: Any = None


async def _start() -> None:
    global _pool
    settings = load_settings()
    _pool = await create_pool(
        os.environ["DATABASE_URL"],
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        session=settings.server_settings(),
        statement_cache_size=settings.statement_cache_size,
    )


async def _answer(send: Any, status: int, body: bytes, extra: list[tuple[bytes, bytes]]) -> None:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await _start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await _pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path, method = scope["path"], scope["method"]
    if path == "/health/live":
        await _answer(send, 200, b'{"status":"ok"}', [])
        return
    token = next((v for k, v in scope["headers"] if k == b"authorization"), b"")[7:]
    token_hash = hash_token(token.decode())
    async with _pool.acquire(timeout=5) as conn:
        if path == "/users/me" and method == "GET":
            user = await conn.fetchrow(_TOKEN, token_hash)
            if user is None:
                await _answer(send, 401, b'{"detail":"token is invalid"}', [])
                return
            await _answer(send, 200, _encode(dict(user)), [])
            return
        found = _MESSAGES.match(path)
        if found is None:
            await _answer(send, 404, b'{"detail":"not found"}', [])
            return
        conversation_id = uuid.UUID(found.group(1))
        # No row: the token is dead or the conversation is not its user's (tubebase
        # then looks the token up to tell 401 from 404; the benchmark sends neither).
        if method == "POST":
            data = msgspec.json.decode(body)
            row = await conn.fetchrow(
                _CREATE, conversation_id, token_hash, data["role"], data["content"],
                data.get("metadata", {}),
            )  # fmt: skip
            if row is None:
                await _answer(send, 404, b'{"detail":"not found"}', [])
                return
            location = f"{path}/{row['id']}".encode()
            await _answer(send, 201, _encode(dict(row)), [(b"location", location)])
            return
        limit = int(dict(p.split("=", 1) for p in scope["query_string"].decode().split("&") if p)["limit"])
        # limit + 1, as tubebase fetches: the extra row says whether a next page exists
        rows = await conn.fetch(_LIST, conversation_id, token_hash, None, None, limit + 1, 0)
        if not rows:
            await _answer(send, 404, b'{"detail":"not found"}', [])
            return
        page = [dict(r) for r in rows[:limit] if r["id"] is not None]
        for r in page:
            del r["total"]
        await _answer(send, 200, _encode(page), [(b"x-total-count", str(rows[0]["total"]).encode())])
