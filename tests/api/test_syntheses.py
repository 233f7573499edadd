"""/meetings/{id}/synthesis (PUT creates or replaces, GET, DELETE, e-mail delivery) and
/syntheses (list, ?q= search, ?has= narrowing, the pending e-mail queue)."""

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import pytest

from tests.api.conftest import Account
from tests.api.helpers import (
    Client,
    Headers,
    assert_bad_request,
    create_meeting,
    put_synthesis,
    random_id,
    total,
)

SYNTHESIS_FIELDS = {
    "id",
    "user_id",
    "meeting_id",
    "summary",
    "summary_word_count",
    "key_decisions",
    "action_items",
    "open_questions",
    "key_topics",
    "llm_model",
    "llm_tokens_used",
    "processing_time_seconds",
    "confidence_score",
    "email_sent_at",
    "email_recipients",
    "email_delivery_status",
    "email_error",
    "created_at",
    "updated_at",
}
DECISIONS = [{"decision": "Ship in March", "owner": {"name": "Ann", "votes": [1, 2]}}]
ACTIONS = [{"task": "Write the RFC", "assignee": "Bo", "done": False}, "call the venue"]


async def synthesis_for(client: Client, headers: Headers, summary: str, **fields: Any) -> Any:
    """A new meeting with a synthesis; the synthesis."""
    meeting = await create_meeting(client, headers)
    return await put_synthesis(client, headers, meeting["id"], summary, **fields)


async def email(client: Client, headers: Headers, meeting_id: str, **body: Any) -> Any:
    response = await client.post(
        f"/meetings/{meeting_id}/synthesis/email", json=body, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def summaries(client: Client, headers: Headers, url: str) -> list[str]:
    response = await client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return [s["summary"] for s in response.json()]


# --- PUT, GET, DELETE ---------------------------------------------------------------------


async def test_put_creates_201_then_replaces_200(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers)
    url = f"/meetings/{meeting['id']}/synthesis"

    created = await client.put(
        url,
        json={
            "summary": "We agreed to ship in March.",
            "key_decisions": DECISIONS,
            "action_items": ACTIONS,
            "open_questions": ["Who pays?"],
            "key_topics": ["launch", "budget"],
            "llm_model": "gpt-4o",
            "llm_tokens_used": 1234,
            "processing_time_seconds": 2.5,
            "confidence_score": 0.9,
            "email_recipients": ["ann@example.com"],
        },
        headers=alice.headers,
    )
    replaced = await client.put(url, json={"summary": "Second version"}, headers=alice.headers)

    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == SYNTHESIS_FIELDS
    assert (body["meeting_id"], body["user_id"]) == (meeting["id"], alice.user["id"])
    assert body["summary_word_count"] == 6
    assert body["key_decisions"] == DECISIONS
    assert body["action_items"] == ACTIONS
    assert body["open_questions"] == ["Who pays?"]
    assert body["key_topics"] == ["launch", "budget"]
    assert (body["llm_model"], body["llm_tokens_used"]) == ("gpt-4o", 1234)
    assert (body["processing_time_seconds"], body["confidence_score"]) == (2.5, 0.9)
    assert body["email_recipients"] == ["ann@example.com"]
    assert (body["email_delivery_status"], body["email_sent_at"]) == ("pending", None)
    assert replaced.status_code == 200, replaced.text
    again = replaced.json()
    assert again["id"] == body["id"]
    assert again["summary"] == "Second version"
    assert again["summary_word_count"] == 2
    assert again["key_decisions"] == []
    assert again["confidence_score"] is None
    fetched = await client.get(url, headers=alice.headers)
    assert fetched.status_code == 200, fetched.text
    assert fetched.json() == again


async def test_get_without_synthesis_is_404(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers)

    response = await client.get(f"/meetings/{meeting['id']}/synthesis", headers=alice.headers)

    assert response.status_code == 404
    assert meeting["id"] in response.json()["detail"]


async def test_delete_synthesis(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    meeting = await create_meeting(client, alice.headers)
    await put_synthesis(client, alice.headers, meeting["id"])
    url = f"/meetings/{meeting['id']}/synthesis"

    deleted = await client.delete(url, headers=alice.headers)

    assert deleted.status_code == 204, deleted.text
    assert (await client.get(url, headers=alice.headers)).status_code == 404
    assert (await client.delete(url, headers=alice.headers)).status_code == 404
    assert (await client.get(f"/meetings/{meeting['id']}", headers=alice.headers)).status_code == (
        200
    )
    assert await session_conn.fetchval("SELECT count(*) FROM syntheses") == 0
    recreated = await client.put(url, json={"summary": "again"}, headers=alice.headers)
    assert recreated.status_code == 201, recreated.text


async def test_put_on_a_missing_meeting_is_404(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    missing = random_id()

    response = await client.put(
        f"/meetings/{missing}/synthesis", json={"summary": "s"}, headers=alice.headers
    )

    assert response.status_code == 404
    assert missing in response.json()["detail"]
    assert await session_conn.fetchval("SELECT count(*) FROM syntheses") == 0


@pytest.mark.parametrize(
    ("summary", "words"),
    [("one", 1), ("  spaced   out\n\tsummary  ", 3), ("The team agreed to ship on Friday.", 7)],
)
async def test_summary_word_count_is_computed(
    client: Client, alice: Account, summary: str, words: int
) -> None:
    body = await synthesis_for(client, alice.headers, summary)

    assert body["summary_word_count"] == words


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"summary": "s", "confidence_score": 1.5}, "confidence_score", id="conf-1.5"),
        pytest.param({"summary": "s", "confidence_score": -0.1}, "confidence_score", id="conf-neg"),
        pytest.param(
            {"summary": "s", "email_recipients": ["ann@example.com", "not an address"]},
            "email_recipients",
            id="bad-recipient",
        ),
        pytest.param({"summary": "s", "summary_word_count": 3}, "summary_word_count", id="wc"),
        pytest.param({"summary": "s", "email_delivery_status": "sent"}, "email_delivery", id="st"),
        pytest.param({"summary": "s", "email_sent_at": "2026-01-01T00:00:00Z"}, "email_sent_at"),
        pytest.param({}, "summary", id="missing-summary"),
        pytest.param({"summary": ""}, "summary", id="empty-summary"),
        pytest.param({"summary": " \n "}, "summary", id="blank-summary"),
        pytest.param({"summary": "s", "key_decisions": {"a": 1}}, "key_decisions", id="object"),
        pytest.param({"summary": "s", "action_items": "do it"}, "action_items", id="string"),
        pytest.param({"summary": "s", "llm_tokens_used": -1}, "llm_tokens_used", id="tokens"),
        pytest.param(
            {"summary": "s", "processing_time_seconds": -1.0}, "processing_time_seconds", id="pt"
        ),
    ],
)
async def test_put_bad_input_is_400(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    body: dict[str, Any],
    field: str,
) -> None:
    meeting = await create_meeting(client, alice.headers)

    response = await client.put(
        f"/meetings/{meeting['id']}/synthesis", json=body, headers=alice.headers
    )

    assert_bad_request(response, field)
    assert await session_conn.fetchval("SELECT count(*) FROM syntheses") == 0


@pytest.mark.parametrize(
    "body", [{"summary": "a\u0000b"}, {"summary": "a", "key_topics": ["x\u0000"]}]
)
async def test_put_with_a_nul_character_is_400_not_500(
    client: Client, alice: Account, session_conn: asyncpg.Connection, body: dict[str, Any]
) -> None:
    meeting = await create_meeting(client, alice.headers)

    response = await client.put(
        f"/meetings/{meeting['id']}/synthesis", json=body, headers=alice.headers
    )

    assert response.status_code == 400, response.text
    assert await session_conn.fetchval("SELECT count(*) FROM syntheses") == 0


async def test_confidence_bounds_are_accepted(client: Client, alice: Account) -> None:
    low = await synthesis_for(client, alice.headers, "low", confidence_score=0)
    high = await synthesis_for(client, alice.headers, "high", confidence_score=1)

    assert (low["confidence_score"], high["confidence_score"]) == (0, 1)


async def test_replacing_starts_the_delivery_over(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers)
    await put_synthesis(client, alice.headers, meeting["id"], "v1")
    sent = await email(
        client,
        alice.headers,
        meeting["id"],
        email_delivery_status="sent",
        email_recipients=["ann@example.com"],
    )
    assert sent["email_delivery_status"] == "sent"

    replaced = await put_synthesis(client, alice.headers, meeting["id"], "v2")

    assert (replaced["email_delivery_status"], replaced["email_sent_at"]) == ("pending", None)
    assert replaced["email_recipients"] == []
    pending = await summaries(client, alice.headers, "/syntheses/pending-email")
    assert pending == ["v2"]


# --- e-mail delivery ----------------------------------------------------------------------


async def test_email_sent(client: Client, alice: Account, session_conn: asyncpg.Connection) -> None:
    meeting = await create_meeting(client, alice.headers)
    await put_synthesis(client, alice.headers, meeting["id"], "to send")
    await put_synthesis(
        client, alice.headers, (await create_meeting(client, alice.headers))["id"], "other"
    )

    body = await email(
        client,
        alice.headers,
        meeting["id"],
        email_delivery_status="sent",
        email_recipients=["ann@example.com", "bo@example.com"],
    )

    assert set(body) == SYNTHESIS_FIELDS
    assert body["email_delivery_status"] == "sent"
    assert body["email_recipients"] == ["ann@example.com", "bo@example.com"]
    assert body["email_error"] is None
    sent_at = datetime.fromisoformat(body["email_sent_at"])
    assert sent_at.tzinfo is not None
    stored = await session_conn.fetchval(
        "SELECT email_sent_at FROM syntheses WHERE meeting_id = $1", uuid.UUID(meeting["id"])
    )
    assert stored == sent_at
    assert await summaries(client, alice.headers, "/syntheses/pending-email") == ["other"]
    fetched = await client.get(f"/meetings/{meeting['id']}/synthesis", headers=alice.headers)
    assert fetched.json() == body


async def test_email_sent_without_recipients_keeps_them(client: Client, alice: Account) -> None:
    synthesis = await synthesis_for(
        client, alice.headers, "s", email_recipients=["ann@example.com"]
    )

    body = await email(client, alice.headers, synthesis["meeting_id"], email_delivery_status="sent")

    assert body["email_recipients"] == ["ann@example.com"]
    assert body["email_sent_at"] is not None


async def test_email_failed(client: Client, alice: Account) -> None:
    synthesis = await synthesis_for(client, alice.headers, "s")
    await email(client, alice.headers, synthesis["meeting_id"], email_delivery_status="sent")

    body = await email(
        client,
        alice.headers,
        synthesis["meeting_id"],
        email_delivery_status="failed",
        email_error="smtp down",
    )

    assert body["email_delivery_status"] == "failed"
    assert body["email_error"] == "smtp down"
    assert body["email_sent_at"] is None
    assert await summaries(client, alice.headers, "/syntheses/pending-email") == []


async def test_email_failed_without_an_error_names_one(client: Client, alice: Account) -> None:
    synthesis = await synthesis_for(client, alice.headers, "s")

    body = await email(
        client, alice.headers, synthesis["meeting_id"], email_delivery_status="failed"
    )

    assert body["email_delivery_status"] == "failed"
    assert body["email_error"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email_delivery_status": "bogus"}, "email_delivery_status"),
        ({"email_delivery_status": "pending"}, "email_delivery_status"),
        ({}, "email_delivery_status"),
        ({"email_delivery_status": "sent", "email_recipients": ["nope"]}, "email_recipients"),
        ({"email_delivery_status": "sent", "email_sent_at": "2026-01-01"}, "email_sent_at"),
    ],
)
async def test_email_bad_input_is_400(
    client: Client, alice: Account, body: dict[str, Any], field: str
) -> None:
    synthesis = await synthesis_for(client, alice.headers, "s")

    response = await client.post(
        f"/meetings/{synthesis['meeting_id']}/synthesis/email", json=body, headers=alice.headers
    )

    assert_bad_request(response, field)
    fetched = await client.get(
        f"/meetings/{synthesis['meeting_id']}/synthesis", headers=alice.headers
    )
    assert fetched.json()["email_delivery_status"] == "pending"


async def test_email_without_a_synthesis_is_404(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers)

    for meeting_id in (meeting["id"], random_id()):
        response = await client.post(
            f"/meetings/{meeting_id}/synthesis/email",
            json={"email_delivery_status": "sent"},
            headers=alice.headers,
        )
        assert response.status_code == 404, response.text
        assert meeting_id in response.json()["detail"]


# --- /syntheses ---------------------------------------------------------------------------


async def test_list_newest_first_with_total_and_pages(client: Client, alice: Account) -> None:
    for i in range(4):
        await synthesis_for(client, alice.headers, f"s{i}")

    everything = await client.get("/syntheses", headers=alice.headers)
    page = await client.get("/syntheses?limit=2&offset=1", headers=alice.headers)

    assert [s["summary"] for s in everything.json()] == ["s3", "s2", "s1", "s0"]
    assert total(everything) == 4
    assert [s["summary"] for s in page.json()] == ["s2", "s1"]
    assert total(page) == 4


async def test_list_has_decisions_or_action_items(client: Client, alice: Account) -> None:
    await synthesis_for(client, alice.headers, "decided", key_decisions=DECISIONS)
    await synthesis_for(client, alice.headers, "acted", action_items=ACTIONS)
    await synthesis_for(
        client, alice.headers, "both", key_decisions=DECISIONS, action_items=ACTIONS
    )
    await synthesis_for(client, alice.headers, "talked", key_topics=["weather"])

    decisions = await client.get("/syntheses?has=decisions", headers=alice.headers)
    actions = await client.get("/syntheses?has=action_items", headers=alice.headers)
    one_page = await client.get("/syntheses?has=decisions&limit=1", headers=alice.headers)

    assert [s["summary"] for s in decisions.json()] == ["both", "decided"]
    assert total(decisions) == 2
    assert [s["summary"] for s in actions.json()] == ["both", "acted"]
    assert total(actions) == 2
    assert [s["summary"] for s in one_page.json()] == ["both"]
    assert total(one_page) == 2
    assert total(await client.get("/syntheses", headers=alice.headers)) == 4


async def test_search_summaries_ranked(client: Client, alice: Account) -> None:
    await synthesis_for(
        client, alice.headers, "Budget talk: the budget grows, budget owners named."
    )
    await synthesis_for(client, alice.headers, "The budget was discussed briefly.")
    await synthesis_for(client, alice.headers, "Hiring plans for Q2.")

    response = await client.get("/syntheses?q=BUDGETS", headers=alice.headers)

    assert response.status_code == 200, response.text
    assert [s["summary"] for s in response.json()] == [
        "Budget talk: the budget grows, budget owners named.",
        "The budget was discussed briefly.",
    ]
    assert total(response) == 2
    paged = await client.get("/syntheses?q=budget&limit=1&offset=1", headers=alice.headers)
    assert [s["summary"] for s in paged.json()] == ["The budget was discussed briefly."]
    assert total(paged) == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?has=everything", "has"),
        ("?q=", "q"),
        ("?q=budget&has=decisions", "has"),
        ("?limit=0", "limit"),
    ],
)
async def test_list_bad_query_is_400(
    client: Client, alice: Account, query: str, field: str
) -> None:
    response = await client.get(f"/syntheses{query}", headers=alice.headers)

    assert_bad_request(response, field)


async def test_pending_email_only_pending_oldest_first(client: Client, alice: Account) -> None:
    first = await synthesis_for(client, alice.headers, "first")
    sent = await synthesis_for(client, alice.headers, "sent")
    await synthesis_for(client, alice.headers, "third")
    failed = await synthesis_for(client, alice.headers, "failed")
    await synthesis_for(client, alice.headers, "fifth")
    await email(client, alice.headers, sent["meeting_id"], email_delivery_status="sent")
    await email(client, alice.headers, failed["meeting_id"], email_delivery_status="failed")

    queue = await client.get("/syntheses/pending-email", headers=alice.headers)
    page = await client.get("/syntheses/pending-email?limit=1&offset=1", headers=alice.headers)

    assert queue.status_code == 200, queue.text
    assert [s["summary"] for s in queue.json()] == ["first", "third", "fifth"]
    assert all(s["email_delivery_status"] == "pending" for s in queue.json())
    assert queue.json()[0]["id"] == first["id"]
    assert [s["summary"] for s in page.json()] == ["third"]
