"""Small helpers shared by the API tests: typed client, error checks, resource factories."""

import itertools
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


# --- the video library and the job queue ------------------------------------------------

_library_serial = itertools.count()


def new_youtube_video_id() -> str:
    """A fresh, valid 11-character YouTube video id."""
    return f"vid{next(_library_serial):08d}"


def new_youtube_channel_id() -> str:
    """A fresh, valid 24-character YouTube channel id (UC and 22 more)."""
    return f"UC{next(_library_serial):022d}"


async def create_channel(client: Client, headers: Headers, **fields: Any) -> Any:
    body: dict[str, Any] = {"youtube_channel_id": new_youtube_channel_id(), "name": "A channel"}
    body.update(fields)
    response = await client.post("/channels", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def create_video(client: Client, headers: Headers, **fields: Any) -> Any:
    body: dict[str, Any] = {"youtube_video_id": new_youtube_video_id()}
    body.update(fields)
    response = await client.post("/videos", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def ingest(client: Client, headers: Headers, text: str, **fields: Any) -> Any:
    """POST /transcripts (a new video unless youtube_video_id is given); the transcript."""
    body: dict[str, Any] = {"youtube_video_id": new_youtube_video_id(), "transcript_text": text}
    body.update(fields)
    response = await client.post("/transcripts", json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def list_chunks(client: Client, headers: Headers, transcript_id: str) -> list[Any]:
    response = await client.get(f"/transcripts/{transcript_id}/chunks?limit=500", headers=headers)
    assert response.status_code == 200, response.text
    chunks: list[Any] = response.json()
    return chunks


async def enqueue_job(client: Client, headers: Headers, **fields: Any) -> Any:
    body: dict[str, Any] = {"job_type": "test_job"}
    body.update(fields)
    response = await client.post("/jobs", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def claim_job(client: Client, headers: Headers, **fields: Any) -> Any:
    response = await client.post("/jobs/claim", json=fields or None, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def create_processing_session(client: Client, headers: Headers, **fields: Any) -> Any:
    response = await client.post("/processing-sessions", json=fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


# --- meetings, participants and syntheses ------------------------------------------------


async def create_meeting(
    client: Client, headers: Headers, title: str = "A meeting", **fields: Any
) -> Any:
    """POST /meetings; the meeting with its participants."""
    response = await client.post("/meetings", json={"title": title, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def add_participant(
    client: Client, headers: Headers, meeting_id: str, name: str = "Ann", **fields: Any
) -> Any:
    response = await client.post(
        f"/meetings/{meeting_id}/participants", json={"name": name, **fields}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def put_synthesis(
    client: Client, headers: Headers, meeting_id: str, summary: str = "A summary", **fields: Any
) -> Any:
    """PUT /meetings/{id}/synthesis (creates or replaces); the synthesis."""
    response = await client.put(
        f"/meetings/{meeting_id}/synthesis", json={"summary": summary, **fields}, headers=headers
    )
    assert response.status_code in (200, 201), response.text
    return response.json()
