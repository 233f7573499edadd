"""The OpenAPI document is complete enough for a generated client: every operation
named, described and answering the codes it can answer; auth only where it is asked;
no schema a value can match twice."""

import re
from typing import Any

import msgspec
import pytest

from service import passwords
from service.api.openapi import DOCUMENTED_AS
from service.queries.generated import messages
from tests.api.helpers import Client

METHODS = ("get", "post", "put", "patch", "delete")
PUBLIC = {
    ("/health/live", "get"),
    ("/health/ready", "get"),
    ("/auth/login", "post"),
    ("/auth/register", "post"),
}


@pytest.fixture
async def document(client: Client) -> Any:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(document: Any) -> list[tuple[str, str, Any]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


async def test_every_operation_has_a_unique_id_a_summary_and_a_description(
    document: Any,
) -> None:
    operations = _operations(document)
    ids = [operation["operationId"] for _, _, operation in operations]

    assert len(operations) >= 85
    assert len(set(ids)) == len(ids)
    for path, method, operation in operations:
        assert operation.get("summary"), (path, method)
        assert operation.get("description"), (path, method)
        # a handler's Python name is not a summary
        assert " " in operation["summary"], (path, method, operation["summary"])


async def test_the_bearer_token_is_asked_only_where_it_is_needed(document: Any) -> None:
    assert not document.get("security")
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerToken"] == {"type": "http", "scheme": "bearer"}
    for path, method, operation in _operations(document):
        if (path, method) in PUBLIC:
            assert not operation.get("security"), (path, method)
            if path != "/auth/login":  # a wrong password is 401
                assert "401" not in operation["responses"], (path, method)
        else:
            assert operation.get("security") == [{"BearerToken": []}], (path, method)
            assert "401" in operation["responses"], (path, method)


async def test_error_answers_are_documented(document: Any) -> None:
    for path, method, operation in _operations(document):
        codes = set(operation["responses"])
        assert "503" in codes, (path, method)
        if "{" in path:
            assert "404" in codes, (path, method)
        if method in ("post", "put", "patch") and path not in ("/auth/logout",):
            assert "400" in codes, (path, method)


@pytest.mark.parametrize(
    ("path", "method", "codes"),
    [
        ("/videos/by-youtube-id/{youtube_video_id}", "put", {"200", "201"}),
        ("/transcripts", "post", {"200", "201"}),
        ("/jobs", "post", {"200", "201"}),
        ("/jobs/claim", "post", {"200", "204"}),
        ("/meetings/{meeting_id}/synthesis", "put", {"200", "201"}),
        ("/transcripts/{transcript_id}", "patch", {"200", "409"}),
        ("/jobs/{job_id}", "patch", {"200", "409"}),
    ],
)
async def test_second_success_codes_are_documented(
    document: Any, path: str, method: str, codes: set[str]
) -> None:
    assert codes <= set(document["paths"][path][method]["responses"])


async def test_lists_document_their_total_headers(document: Any) -> None:
    lists = [
        (path, operation)
        for path, method, operation in _operations(document)
        if method == "get"
        and {"limit", "after"} <= {p["name"] for p in operation.get("parameters", [])}
    ]
    assert len(lists) >= 10
    for path, operation in lists:
        headers = {h.lower() for h in operation["responses"]["200"].get("headers", {})}
        assert {"x-total-count", "link"} <= headers, path


def _schemas_matching_null_twice(schema: Any, where: str) -> list[str]:
    found = []
    if isinstance(schema, dict):
        options = schema.get("oneOf") or []
        accepts_null = [
            o for o in options if o == {} or o.get("type") == "null" or "null" in o.get("type", [])
        ]
        if len(accepts_null) > 1:
            found.append(where)
        for key, value in schema.items():
            found += _schemas_matching_null_twice(value, f"{where}.{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            found += _schemas_matching_null_twice(value, f"{where}[{i}]")
    return found


async def test_no_schema_lets_a_value_match_two_branches(document: Any) -> None:
    assert _schemas_matching_null_twice(document, "$") == []
    assert document["components"]["schemas"]["Job"]["properties"]["result"] == {}


async def test_a_bulk_body_documents_how_many_items_it_takes(document: Any) -> None:
    """The limits the service enforces (tests/api/test_messages.py) are the ones a
    client, or a fuzzer, reads."""
    body = document["paths"]["/conversations/{conversation_id}/messages/bulk"]["post"]
    schema = body["requestBody"]["content"]["application/json"]["schema"]
    assert (schema["type"], schema["minItems"], schema["maxItems"]) == ("array", 1, 10_000)


async def test_the_password_rule_is_in_the_document(document: Any) -> None:
    """Eight characters that are not spaces, as a pattern: a client can check it, and a
    password the document allows is not refused for it (tests/api/test_hostile_clients.py)."""
    password = document["components"]["schemas"]["Registration"]["properties"]["password"]
    assert password["pattern"] == passwords.PATTERN
    assert re.search(password["pattern"], " a b c d e f g h ")
    assert not re.search(password["pattern"], "abcdefg\u00a0\ufeff ")


async def test_a_json_query_parameter_is_described_by_its_content(document: Any) -> None:
    (metadata,) = [
        p for p in document["paths"]["/search"]["get"]["parameters"] if p["name"] == "metadata"
    ]
    assert "schema" not in metadata
    assert metadata["content"] == {"application/json": {"schema": {"type": "object"}}}


async def test_a_listed_message_is_documented_as_a_message(document: Any) -> None:
    """A list's rows carry their metadata as stored JSON text; they answer a Message's
    JSON, and the document says Message."""
    assert DOCUMENTED_AS == {"ListedMessage": "Message"}
    listed, message = messages.ListedMessage, messages.Message
    assert [f.name for f in msgspec.structs.fields(listed)] == [
        f.name for f in msgspec.structs.fields(message)
    ]
    answer = document["paths"]["/conversations/{conversation_id}/messages"]["get"]["responses"]
    items = answer["200"]["content"]["application/json"]["schema"]["items"]
    assert items == {"$ref": "#/components/schemas/Message"}
    assert "ListedMessage" not in document["components"]["schemas"]
