"""Small helpers shared by the API tests: typed client, error checks, resource factories."""

import json
import uuid
from typing import Any

import asyncpg
from httpx import Response
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]


def random_id() -> str:
    """A well-formed id that names no row."""
    return str(uuid.uuid4())


def error_text(response: Response) -> str:
    """Everything an error body says (detail and the validation extras), as one string."""
    body = response.json()
    return f"{body.get('detail', '')} {json.dumps(body.get('extra', ''))}"


def assert_bad_request(response: Response, field: str) -> None:
    """A 400 whose body names the offending field."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status_code"] == 400
    assert field in error_text(response), response.text


def assert_same_not_found(
    foreign: Response, foreign_id: str, missing: Response, missing_id: str
) -> None:
    """Someone else's row answers exactly like a row that does not exist: the same
    status and the same body once the id each one echoes is blanked out."""
    assert foreign.status_code == 404, foreign.text
    assert missing.status_code == 404, missing.text
    assert foreign.json() == json.loads(missing.text.replace(missing_id, foreign_id))
    assert set(foreign.headers.keys()) == set(missing.headers.keys())


def total(response: Response) -> int:
    """The X-Total-Count a list endpoint sends."""
    return int(response.headers["x-total-count"])


async def create_conversation(client: Client, headers: Headers, title: str | None = None) -> Any:
    body = {} if title is None else {"title": title}
    response = await client.post("/conversations", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def post_message(
    client: Client,
    headers: Headers,
    conversation_id: str,
    content: str,
    role: str = "user",
    metadata: dict[str, Any] | None = None,
) -> Any:
    body: dict[str, Any] = {"role": role, "content": content}
    if metadata is not None:
        body["metadata"] = metadata
    response = await client.post(
        f"/conversations/{conversation_id}/messages", json=body, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def create_template(client: Client, headers: Headers, **fields: Any) -> Any:
    body: dict[str, Any] = {
        "template_type": "linkedin",
        "template_name": "My post",
        "template_content": "Hello {name}",
    }
    body.update(fields)
    response = await client.post("/templates", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def count_messages(session_conn: asyncpg.Connection, conversation_id: str) -> int:
    count: int = await session_conn.fetchval(
        "SELECT count(*) FROM messages WHERE conversation_id = $1", uuid.UUID(conversation_id)
    )
    return count
