"""The HTTP contract every resource shares: PATCH leaves an absent key alone and clears
a nullable field sent as null (a required one is 400); 201 answers say where the new
resource lives; OPTIONS lists every method a path has."""

from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

import pytest

from tests.api.conftest import Account
from tests.api.helpers import (
    Client,
    Headers,
    add_participant,
    create_channel,
    create_conversation,
    create_meeting,
    create_processing_session,
    create_template,
    create_video,
    enqueue_job,
    error_text,
    ingest,
    list_chunks,
)


class Resource(NamedTuple):
    """How to make one resource (its URL and JSON) and which fields to PATCH."""

    make: Callable[[Client, Headers], Awaitable[tuple[str, Any]]]
    nullable: dict[str, Any]  # field -> a value to set before clearing it
    required: str  # a NOT NULL field: null is 400


async def _channel(client: Client, headers: Headers) -> tuple[str, Any]:
    made = await create_channel(client, headers, description="about it")
    return f"/channels/{made['id']}", made


async def _video(client: Client, headers: Headers) -> tuple[str, Any]:
    made = await create_video(
        client, headers, title="A video", description="about it", duration_seconds=60
    )
    return f"/videos/{made['id']}", made


async def _meeting(client: Client, headers: Headers) -> tuple[str, Any]:
    made = await create_meeting(client, headers, description="agenda", platform="zoom")
    made.pop("participants")
    return f"/meetings/{made['id']}", made


async def _participant(client: Client, headers: Headers) -> tuple[str, Any]:
    meeting = await create_meeting(client, headers)
    made = await add_participant(client, headers, meeting["id"], email="ann@example.com")
    return f"/meetings/{meeting['id']}/participants/{made['id']}", made


async def _transcript(client: Client, headers: Headers) -> tuple[str, Any]:
    made = await ingest(client, headers, "Some words to keep.")
    url = f"/transcripts/{made['id']}"
    response = await client.patch(url, json={"title": "A title"}, headers=headers)
    assert response.status_code == 200, response.text
    return url, response.json()


async def _conversation(client: Client, headers: Headers) -> tuple[str, Any]:
    made = await create_conversation(client, headers, "Talk")
    return f"/conversations/{made['id']}", made


async def _template(client: Client, headers: Headers) -> tuple[str, Any]:
    made = await create_template(client, headers)
    return f"/templates/{made['id']}", made


async def _job(client: Client, headers: Headers) -> tuple[str, Any]:
    made = await enqueue_job(client, headers, priority=3)
    return f"/jobs/{made['id']}", made


async def _session(client: Client, headers: Headers) -> tuple[str, Any]:
    made = await create_processing_session(client, headers, name="Batch")
    return f"/processing-sessions/{made['id']}", made


RESOURCES = {
    "channel": Resource(_channel, {"description": "x"}, "name"),
    "video": Resource(_video, {"description": "x", "title": "t", "duration_seconds": 5}, "tags"),
    "meeting": Resource(_meeting, {"description": "x", "platform": "zoom"}, "title"),
    "participant": Resource(_participant, {"email": "ann@example.com"}, "name"),
    "transcript": Resource(_transcript, {"title": "x"}, "language"),
    "conversation": Resource(_conversation, {}, "title"),
    "template": Resource(_template, {}, "template_name"),
    "job": Resource(_job, {}, "priority"),
    "processing session": Resource(_session, {}, "name"),
}
# GET /meetings/{id} embeds the participants, which PATCH does not answer with
CHANGING = {"updated_at", "participants"}


def _same(before: Any, after: Any, *changed: str) -> None:
    skip = CHANGING | set(changed)
    assert {k: v for k, v in after.items() if k not in skip} == {
        k: v for k, v in before.items() if k not in skip
    }


@pytest.mark.parametrize("kind", sorted(RESOURCES))
async def test_an_empty_patch_changes_nothing(client: Client, alice: Account, kind: str) -> None:
    url, made = await RESOURCES[kind].make(client, alice.headers)

    response = await client.patch(url, json={}, headers=alice.headers)

    assert response.status_code == 200, response.text
    _same(made, response.json())


@pytest.mark.parametrize(
    ("kind", "field"),
    [(kind, field) for kind, r in sorted(RESOURCES.items()) for field in r.nullable],
)
async def test_null_clears_a_nullable_field_and_nothing_else(
    client: Client, alice: Account, kind: str, field: str
) -> None:
    url, made = await RESOURCES[kind].make(client, alice.headers)
    assert made[field] is not None, f"{kind} was made without {field}"

    response = await client.patch(url, json={field: None}, headers=alice.headers)

    assert response.status_code == 200, response.text
    cleared = response.json()
    assert cleared[field] is None
    _same(made, cleared, field)
    again = await client.get(url, headers=alice.headers)
    assert again.json()[field] is None
    # and it can be set again
    value = RESOURCES[kind].nullable[field]
    reset = await client.patch(url, json={field: value}, headers=alice.headers)
    assert reset.status_code == 200, reset.text
    assert reset.json()[field] == value


@pytest.mark.parametrize("kind", sorted(RESOURCES))
async def test_null_for_a_required_field_is_400_naming_it_and_changes_nothing(
    client: Client, alice: Account, kind: str
) -> None:
    url, made = await RESOURCES[kind].make(client, alice.headers)
    field = RESOURCES[kind].required

    response = await client.patch(url, json={field: None}, headers=alice.headers)

    assert response.status_code == 400, response.text
    assert field in error_text(response)
    after = await client.get(url, headers=alice.headers)
    assert after.json()[field] == made[field]
    _same(made, after.json())


# Location on 201


async def test_every_201_says_where_the_new_resource_is(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers)
    conversation = await create_conversation(client, alice.headers)
    creations: list[tuple[str, dict[str, Any]]] = [
        ("/channels", {"youtube_channel_id": "UC" + "l" * 22, "name": "C"}),
        ("/videos", {"youtube_video_id": "locationv01"}),
        ("/transcripts", {"youtube_video_id": "locationv02", "transcript_text": "Hello."}),
        ("/conversations", {"title": "T"}),
        (f"/conversations/{conversation['id']}/messages", {"role": "user", "content": "Hi"}),
        (
            "/templates",
            {"template_name": "N", "template_type": "linkedin", "template_content": "Body"},
        ),
        ("/jobs", {"job_type": "test_job"}),
        ("/processing-sessions", {"name": "S"}),
        ("/meetings", {"title": "M"}),
        (f"/meetings/{meeting['id']}/participants", {"name": "Ann"}),
        (f"/meetings/{meeting['id']}/synthesis", {"summary": "S"}),
    ]
    for path, body in creations:
        response = await client.post(path, json=body, headers=alice.headers)
        assert response.status_code == 201, (path, response.text)
        location = response.headers.get("location")
        assert location, f"POST {path} answered 201 without a Location"
        fetched = await client.get(location, headers=alice.headers)
        assert fetched.status_code == 200, (path, location)
        assert fetched.json()["id"] == response.json()["id"], (path, location)


async def test_a_repeated_idempotent_create_answers_200_without_location(
    client: Client, alice: Account
) -> None:
    first = await client.post(
        "/jobs", json={"job_type": "test_job", "idempotency_key": "k1"}, headers=alice.headers
    )
    again = await client.post(
        "/jobs", json={"job_type": "test_job", "idempotency_key": "k1"}, headers=alice.headers
    )

    assert first.status_code == 201 and "location" in first.headers
    assert again.status_code == 200 and "location" not in again.headers
    assert again.json()["id"] == first.json()["id"]


# OPTIONS


@pytest.mark.parametrize(
    ("path", "methods"),
    [
        ("/conversations", {"GET", "POST"}),
        ("/conversations/00000000-0000-4000-8000-000000000000", {"GET", "PATCH", "DELETE"}),
        ("/transcripts/00000000-0000-4000-8000-000000000000", {"GET", "PATCH", "DELETE"}),
        ("/jobs/00000000-0000-4000-8000-000000000000", {"GET", "PATCH", "DELETE"}),
        (
            "/meetings/00000000-0000-4000-8000-000000000000/synthesis",
            {"GET", "POST", "PUT", "PATCH", "DELETE"},
        ),
    ],
)
async def test_options_lists_every_method_of_the_path(
    client: Client, path: str, methods: set[str]
) -> None:
    response = await client.options(path)

    assert response.status_code in (200, 204), response.text
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert methods | {"OPTIONS"} <= allowed
    assert allowed <= {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


# validation messages say what is allowed, in words


def _messages(response: Any) -> list[str]:
    assert response.status_code == 400, response.text
    return [item["message"] for item in response.json()["extra"]]


async def test_a_bad_email_is_described_not_shown_as_a_regex(client: Client) -> None:
    response = await client.post(
        "/auth/register",
        json={"username": "newcomer", "email": "not-an-address", "password": "long-enough-pass-1"},
    )

    (message,) = _messages(response)
    assert "e-mail address" in message and "ada@example.com" in message
    assert "regex" not in message and "^" not in message


@pytest.mark.parametrize(
    ("path", "body", "values"),
    [
        (
            "/transcripts",
            {"youtube_video_id": "enumsvideo1", "transcript_text": "T", "source": "fax"},
            ["youtube_auto", "youtube_manual", "upload"],
        ),
        (
            "/templates",
            {"template_name": "N", "template_type": "fax", "template_content": "B"},
            ["linkedin", "twitter", "blog", "email"],
        ),
        (
            "/channels",
            {"youtube_channel_id": "UC" + "e" * 22, "name": "C", "status": "x"},
            ["active", "paused"],
        ),
    ],
)
async def test_a_value_outside_a_fixed_set_lists_the_allowed_ones(
    client: Client, alice: Account, path: str, body: dict[str, Any], values: list[str]
) -> None:
    response = await client.post(path, json=body, headers=alice.headers)

    (message,) = _messages(response)
    for value in values:
        assert repr(value) in message, message


async def test_an_unknown_field_is_named_with_the_fields_there_are(client: Client) -> None:
    response = await client.post("/auth/login", json={"username": "ada", "password": "x"})

    assert response.status_code == 400
    (item,) = response.json()["extra"]
    assert item["key"] == "username"
    assert "unknown field `username`" in item["message"]
    assert "login" in item["message"] and "password" in item["message"]


async def test_an_unknown_nested_field_is_named_with_its_path(
    client: Client, alice: Account
) -> None:
    response = await client.post(
        "/meetings",
        json={"title": "M", "participants": [{"name": "Ann", "phone": "555"}]},
        headers=alice.headers,
    )

    (item,) = response.json()["extra"]
    assert item["key"] == "participants[0].phone"
    assert "email" in item["message"] and "is_organizer" in item["message"]


async def test_an_enum_query_parameter_lists_its_values(client: Client, alice: Account) -> None:
    response = await client.get("/jobs?status=sleeping", headers=alice.headers)

    (message,) = _messages(response)
    for value in ("queued", "running", "completed", "failed", "cancelled"):
        assert repr(value) in message, message


# Whitespace to Python's `\s` only, to ECMA-262's only (the OpenAPI document's regex
# dialect), and to neither (a zero-width space, a letter).
PYTHON_ONLY_SPACES = ["\x1c", "\x1f", "\x85"]
ECMA_ONLY_SPACES = ["\ufeff"]


@pytest.mark.parametrize("space", PYTHON_ONLY_SPACES + ECMA_ONLY_SPACES + [" ", "\u3000"])
async def test_a_title_of_whitespace_in_either_dialect_is_blank(
    client: Client, alice: Account, space: str
) -> None:
    response = await client.post("/conversations", json={"title": space * 3}, headers=alice.headers)

    (message,) = _messages(response)
    assert "not blank" in message


@pytest.mark.parametrize("text", ["\u200b", "x"])
async def test_a_title_blank_to_neither_dialect_is_kept(
    client: Client, alice: Account, text: str
) -> None:
    response = await client.post("/conversations", json={"title": text}, headers=alice.headers)

    assert response.status_code == 201, response.text
    assert response.json()["title"] == text


@pytest.mark.parametrize("space", PYTHON_ONLY_SPACES + ECMA_ONLY_SPACES)
async def test_an_email_with_whitespace_in_either_dialect_is_refused(
    client: Client, space: str
) -> None:
    response = await client.post(
        "/auth/register",
        json={
            "username": "spacey",
            "email": f"a{space}b@example.com",
            "password": "long-enough-pass-1",
        },
    )

    (message,) = _messages(response)
    assert "e-mail address" in message


async def test_the_schema_spells_out_the_spaces_it_refuses(client: Client) -> None:
    """What a client validating against the document (ECMA-262 regexes) is told: every
    non-blank and e-mail pattern names the spaces its dialect's \\s leaves out."""
    document = (await client.get("/schema/openapi.json")).json()
    registration = document["components"]["schemas"]["Registration"]["properties"]
    conversation = document["components"]["schemas"]["ConversationIn"]["properties"]

    title = conversation["title"]["anyOf"][0]  # a string, or null for the default
    for pattern in (registration["email"]["pattern"], title["pattern"]):
        assert "\\x1c-\\x1f" in pattern and "\\x85" in pattern and "\\ufeff" in pattern, pattern
    assert registration["email"]["pattern"].endswith("(?!\\n)$")
    assert registration["username"]["pattern"].endswith("(?!\\n)$")


async def test_an_integral_float_is_an_integer_as_the_schema_says(
    client: Client, alice: Account
) -> None:
    """To JSON Schema (the document's `integer`), 60.0 is an integer."""
    video = await create_video(client, alice.headers, duration_seconds=60.0)
    assert video["duration_seconds"] == 60 and isinstance(video["duration_seconds"], int)

    response = await client.patch(
        f"/videos/{video['id']}", json={"duration_seconds": 90.0}, headers=alice.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["duration_seconds"] == 90


async def test_a_fractional_float_is_still_not_an_integer(client: Client, alice: Account) -> None:
    response = await client.post(
        "/videos",
        json={"youtube_video_id": "floatyvideo", "duration_seconds": 60.5},
        headers=alice.headers,
    )

    assert response.status_code == 400, response.text
    (item,) = response.json()["extra"]
    assert item["key"] == "duration_seconds"


async def test_a_string_of_digits_is_still_not_an_integer(client: Client, alice: Account) -> None:
    response = await client.post(
        "/videos",
        json={"youtube_video_id": "stringyvide", "duration_seconds": "60"},
        headers=alice.headers,
    )

    assert response.status_code == 400, response.text
    (item,) = response.json()["extra"]
    assert item["key"] == "duration_seconds"


async def test_free_form_json_keeps_its_floats(client: Client, alice: Account) -> None:
    """The integral-float rule is for integer fields: a chunk's chunk_index 0.0 is 0, and its
    metadata keeps the 2.0 it was sent."""
    transcript = await ingest(
        client,
        alice.headers,
        "given",
        chunks=[{"chunk_index": 0.0, "chunk_text": "given", "metadata": {"score": 2.0}}],
    )

    (chunk,) = await list_chunks(client, alice.headers, transcript["id"])
    assert chunk["chunk_index"] == 0 and isinstance(chunk["chunk_index"], int)
    assert chunk["metadata"] == {"score": 2.0} and isinstance(chunk["metadata"]["score"], float)


async def test_a_float_for_a_text_field_is_named_as_a_float(client: Client, alice: Account) -> None:
    response = await client.post(
        "/videos",
        json={"youtube_video_id": "floattitle1", "duration_seconds": 60.0, "title": 5.0},
        headers=alice.headers,
    )

    (message,) = _messages(response)
    assert "got `float`" in message and "title" in message


@pytest.mark.parametrize(
    ("field", "value"),
    [("username", "newline\n"), ("email", "ada@example.com\n")],
)
async def test_a_trailing_newline_does_not_pass_a_pattern(
    client: Client, field: str, value: str
) -> None:
    """Python's $ matches before a last newline; the document's (ECMA-262) does not."""
    body = {"username": "newline", "email": "nl@example.com", "password": "long-enough-pass-1"}
    response = await client.post("/auth/register", json={**body, field: value})

    assert response.status_code == 400, response.text
    assert response.json()["extra"][0]["key"] == field
