"""/meetings/{id}/synthesis (PUT creates or replaces, POST creates, PATCH changes, GET,
DELETE, e-mail delivery) and /syntheses (list, ?q= search, ?has= narrowing, the e-mail
queue of everything not sent yet)."""

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
    assert_same_not_found,
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


async def test_email_failed_puts_it_back_in_the_queue(client: Client, alice: Account) -> None:
    synthesis = await synthesis_for(client, alice.headers, "s")
    await email(client, alice.headers, synthesis["meeting_id"], email_delivery_status="sent")
    assert await summaries(client, alice.headers, "/syntheses/pending-email") == []

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
    queue = await client.get("/syntheses/pending-email", headers=alice.headers)
    assert queue.json() == [body]
    assert total(queue) == 1


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


async def test_pending_email_is_everything_unsent_oldest_first(
    client: Client, alice: Account
) -> None:
    first = await synthesis_for(client, alice.headers, "first")
    sent = await synthesis_for(client, alice.headers, "sent")
    await synthesis_for(client, alice.headers, "third")
    failed = await synthesis_for(client, alice.headers, "failed")
    await synthesis_for(client, alice.headers, "fifth")
    await email(client, alice.headers, sent["meeting_id"], email_delivery_status="sent")
    await email(client, alice.headers, failed["meeting_id"], email_delivery_status="failed")

    queue = await client.get("/syntheses/pending-email", headers=alice.headers)
    page = await client.get("/syntheses/pending-email?limit=2&offset=1", headers=alice.headers)

    assert queue.status_code == 200, queue.text
    assert [s["summary"] for s in queue.json()] == ["first", "third", "failed", "fifth"]
    assert [s["email_delivery_status"] for s in queue.json()] == [
        "pending",
        "pending",
        "failed",
        "pending",
    ]
    assert all(s["email_sent_at"] is None for s in queue.json())
    assert queue.json()[0]["id"] == first["id"]
    assert total(queue) == 4
    assert [s["summary"] for s in page.json()] == ["third", "failed"]
    assert total(page) == 4


# --- POST creates, PATCH changes ------------------------------------------------------------

FULL_SYNTHESIS = {
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
}


async def synthesis_row_count(session_conn: asyncpg.Connection) -> int:
    count: int = await session_conn.fetchval("SELECT count(*) FROM syntheses")
    return count


async def get_synthesis(client: Client, headers: Headers, meeting_id: str) -> Any:
    response = await client.get(f"/meetings/{meeting_id}/synthesis", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def patch_synthesis(client: Client, headers: Headers, meeting_id: str, **body: Any) -> Any:
    response = await client.patch(f"/meetings/{meeting_id}/synthesis", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_post_creates_201_with_every_field(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers)

    response = await client.post(
        f"/meetings/{meeting['id']}/synthesis", json=FULL_SYNTHESIS, headers=alice.headers
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == SYNTHESIS_FIELDS
    assert {k: body[k] for k in FULL_SYNTHESIS} == FULL_SYNTHESIS
    assert (body["meeting_id"], body["user_id"]) == (meeting["id"], alice.user["id"])
    assert body["summary_word_count"] == 6
    assert (body["email_delivery_status"], body["email_sent_at"], body["email_error"]) == (
        "pending",
        None,
        None,
    )
    assert await get_synthesis(client, alice.headers, meeting["id"]) == body
    assert await summaries(client, alice.headers, "/syntheses/pending-email") == [
        FULL_SYNTHESIS["summary"]
    ]


async def test_post_with_only_a_summary_takes_the_defaults(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers)

    response = await client.post(
        f"/meetings/{meeting['id']}/synthesis", json={"summary": "Short."}, headers=alice.headers
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["key_decisions"] == body["action_items"] == body["email_recipients"] == []
    assert body["llm_model"] is body["confidence_score"] is None


async def test_post_when_the_meeting_has_a_synthesis_is_409_and_changes_nothing(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    meeting = await create_meeting(client, alice.headers)
    original = await put_synthesis(client, alice.headers, meeting["id"], "The original")

    response = await client.post(
        f"/meetings/{meeting['id']}/synthesis", json={"summary": "Another"}, headers=alice.headers
    )

    assert response.status_code == 409, response.text
    assert "PUT" in response.json()["detail"]
    assert await get_synthesis(client, alice.headers, meeting["id"]) == original
    assert await synthesis_row_count(session_conn) == 1


async def test_post_on_a_missing_or_foreign_meeting_is_the_same_404(
    client: Client, alice: Account, bob: Account, session_conn: asyncpg.Connection
) -> None:
    alices = await create_meeting(client, alice.headers)
    missing = random_id()

    foreign = await client.post(
        f"/meetings/{alices['id']}/synthesis", json={"summary": "s"}, headers=bob.headers
    )
    absent = await client.post(
        f"/meetings/{missing}/synthesis", json={"summary": "s"}, headers=bob.headers
    )

    assert_same_not_found(foreign, alices["id"], absent, missing)
    assert missing in absent.json()["detail"]
    assert await synthesis_row_count(session_conn) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "summary", id="missing-summary"),
        pytest.param({"summary": " \t\n"}, "summary", id="blank-summary"),
        pytest.param({"summary": "w" * 500_001}, "summary", id="summary-over-500k"),
        pytest.param({"summary": "s", "summary_word_count": 1}, "summary_word_count", id="wc"),
        pytest.param({"summary": "s", "email_delivery_status": "sent"}, "email_delivery_status"),
        pytest.param({"summary": "s", "email_sent_at": "2026-01-01T00:00:00Z"}, "email_sent_at"),
        pytest.param({"summary": "s", "confidence_score": 1.01}, "confidence_score", id="conf"),
        pytest.param({"summary": "s", "email_recipients": ["nope"]}, "email_recipients"),
    ],
)
async def test_post_bad_input_is_400_and_writes_nothing(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    body: dict[str, Any],
    field: str,
) -> None:
    meeting = await create_meeting(client, alice.headers)

    response = await client.post(
        f"/meetings/{meeting['id']}/synthesis", json=body, headers=alice.headers
    )

    assert_bad_request(response, field)
    assert await synthesis_row_count(session_conn) == 0


async def test_patch_changes_the_given_fields_and_recounts_the_words(
    client: Client, alice: Account
) -> None:
    original = await synthesis_for(client, alice.headers, **FULL_SYNTHESIS)
    meeting_id = original["meeting_id"]
    changes = {
        "summary": "Now   five words\nin it",
        "key_decisions": [],
        "action_items": [{"task": "Call Bo"}],
        "open_questions": ["When?"],
        "key_topics": ["hiring"],
        "llm_model": "claude",
        "llm_tokens_used": 0,
        "processing_time_seconds": 0.25,
        "confidence_score": 0,
        "email_recipients": ["bo@example.com", "cy@example.com"],
    }

    body = await patch_synthesis(client, alice.headers, meeting_id, **changes)

    assert {k: body[k] for k in changes} == changes
    assert body["summary_word_count"] == 5
    assert (body["id"], body["created_at"]) == (original["id"], original["created_at"])
    assert body["email_delivery_status"] == "pending"
    assert await get_synthesis(client, alice.headers, meeting_id) == body


async def test_patch_leaves_fields_it_is_not_given(client: Client, alice: Account) -> None:
    original = await synthesis_for(client, alice.headers, **FULL_SYNTHESIS)

    only_model = await patch_synthesis(
        client, alice.headers, original["meeting_id"], llm_model="other-model"
    )
    nothing = await patch_synthesis(client, alice.headers, original["meeting_id"])

    unchanged = {k: v for k, v in original.items() if k not in ("llm_model", "updated_at")}
    for body in (only_model, nothing):
        assert {k: v for k, v in body.items() if k in unchanged} == unchanged
        assert body["llm_model"] == "other-model"


async def test_patch_null_clears_a_nullable_field_and_only_that_one(
    client: Client, alice: Account
) -> None:
    original = await synthesis_for(client, alice.headers, **FULL_SYNTHESIS)

    body = await patch_synthesis(
        client, alice.headers, original["meeting_id"], llm_model=None, confidence_score=None
    )

    assert (body["llm_model"], body["confidence_score"]) == (None, None)
    cleared = ("llm_model", "confidence_score", "updated_at")
    assert {k: v for k, v in body.items() if k not in cleared} == {
        k: v for k, v in original.items() if k not in cleared
    }
    again = await client.get(f"/meetings/{original['meeting_id']}/synthesis", headers=alice.headers)
    assert again.json() == body


@pytest.mark.parametrize("field", ["summary", "key_decisions", "email_recipients"])
async def test_patch_null_on_a_required_field_is_400_and_changes_nothing(
    client: Client, alice: Account, field: str
) -> None:
    original = await synthesis_for(client, alice.headers, **FULL_SYNTHESIS)
    meeting_id = original["meeting_id"]

    response = await client.patch(
        f"/meetings/{meeting_id}/synthesis",
        json={field: None, "llm_model": "changed"},
        headers=alice.headers,
    )

    assert response.status_code == 400, response.text
    assert field in response.text
    again = await client.get(f"/meetings/{meeting_id}/synthesis", headers=alice.headers)
    assert again.json() == original


async def test_patch_email_sent_at_marks_it_sent_at_that_time(
    client: Client, alice: Account
) -> None:
    original = await synthesis_for(client, alice.headers, "to send")
    meeting_id = original["meeting_id"]
    await email(client, alice.headers, meeting_id, email_delivery_status="failed", email_error="x")

    body = await patch_synthesis(
        client, alice.headers, meeting_id, email_sent_at="2026-01-02T03:04:05+02:00"
    )

    assert body["email_delivery_status"] == "sent"
    assert datetime.fromisoformat(body["email_sent_at"]) == datetime.fromisoformat(
        "2026-01-02T01:04:05+00:00"
    )
    assert body["email_error"] is None
    queue = await client.get("/syntheses/pending-email", headers=alice.headers)
    assert queue.json() == []
    assert total(queue) == 0


async def test_patch_status_sent_without_a_time_uses_the_database_now(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    original = await synthesis_for(client, alice.headers, "to send")
    before: datetime = await session_conn.fetchval("SELECT now()")

    body = await patch_synthesis(
        client, alice.headers, original["meeting_id"], email_delivery_status="sent"
    )

    after: datetime = await session_conn.fetchval("SELECT now()")
    assert body["email_delivery_status"] == "sent"
    assert before <= datetime.fromisoformat(body["email_sent_at"]) <= after


@pytest.mark.parametrize("status", ["pending", "failed"])
async def test_patch_status_pending_or_failed_clears_the_sent_time(
    client: Client, alice: Account, status: str
) -> None:
    original = await synthesis_for(client, alice.headers, "was sent")
    meeting_id = original["meeting_id"]
    await email(client, alice.headers, meeting_id, email_delivery_status="sent")

    body = await patch_synthesis(
        client, alice.headers, meeting_id, email_delivery_status=status, email_error="bounced"
    )

    assert (body["email_delivery_status"], body["email_sent_at"]) == (status, None)
    assert body["email_error"] == ("bounced" if status == "failed" else None)
    assert await summaries(client, alice.headers, "/syntheses/pending-email") == ["was sent"]


async def test_patch_keeps_an_email_error_only_while_failed(client: Client, alice: Account) -> None:
    original = await synthesis_for(client, alice.headers, "s")
    meeting_id = original["meeting_id"]

    on_pending = await patch_synthesis(client, alice.headers, meeting_id, email_error="ignored")
    failed = await patch_synthesis(
        client, alice.headers, meeting_id, email_delivery_status="failed", email_error="bounced"
    )
    edited = await patch_synthesis(client, alice.headers, meeting_id, summary="edited")
    sent = await patch_synthesis(
        client, alice.headers, meeting_id, email_delivery_status="sent", email_error="ignored"
    )

    assert (on_pending["email_delivery_status"], on_pending["email_error"]) == ("pending", None)
    assert (failed["email_delivery_status"], failed["email_error"]) == ("failed", "bounced")
    assert (edited["email_delivery_status"], edited["email_error"]) == ("failed", "bounced")
    assert (sent["email_delivery_status"], sent["email_error"]) == ("sent", None)


@pytest.mark.parametrize("status", ["pending", "failed"])
async def test_patch_a_sent_time_with_status_pending_or_failed_is_400_and_changes_nothing(
    client: Client, alice: Account, status: str
) -> None:
    original = await synthesis_for(client, alice.headers, "s")

    response = await client.patch(
        f"/meetings/{original['meeting_id']}/synthesis",
        json={
            "email_sent_at": "2026-01-01T00:00:00Z",
            "email_delivery_status": status,
            "summary": "changed",
        },
        headers=alice.headers,
    )

    assert_bad_request(response, "email_sent_at")
    assert await get_synthesis(client, alice.headers, original["meeting_id"]) == original


async def test_patch_a_sent_time_with_status_sent_is_fine(client: Client, alice: Account) -> None:
    original = await synthesis_for(client, alice.headers, "s")

    body = await patch_synthesis(
        client,
        alice.headers,
        original["meeting_id"],
        email_sent_at="2026-03-04T05:06:07Z",
        email_delivery_status="sent",
    )

    assert body["email_delivery_status"] == "sent"
    assert datetime.fromisoformat(body["email_sent_at"]) == datetime.fromisoformat(
        "2026-03-04T05:06:07+00:00"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"summary": ""}, "summary", id="empty-summary"),
        pytest.param({"summary": "  \n"}, "summary", id="blank-summary"),
        pytest.param({"summary": "w" * 500_001}, "summary", id="summary-over-500k"),
        pytest.param({"summary_word_count": 3}, "summary_word_count", id="word-count"),
        pytest.param({"meeting_id": random_id()}, "meeting_id", id="meeting-id"),
        pytest.param({"confidence_score": 1.5}, "confidence_score", id="confidence"),
        pytest.param({"llm_tokens_used": -1}, "llm_tokens_used", id="tokens"),
        pytest.param({"processing_time_seconds": -0.5}, "processing_time_seconds", id="time"),
        pytest.param({"key_decisions": {"a": 1}}, "key_decisions", id="decisions-object"),
        pytest.param({"email_recipients": ["nope"]}, "email_recipients", id="recipient"),
        pytest.param({"email_delivery_status": "bounced"}, "email_delivery_status", id="status"),
        pytest.param({"email_sent_at": "yesterday"}, "email_sent_at", id="not-a-time"),
    ],
)
async def test_patch_bad_input_is_400_and_changes_nothing(
    client: Client, alice: Account, body: dict[str, Any], field: str
) -> None:
    original = await synthesis_for(client, alice.headers, "s", confidence_score=0.5)

    response = await client.patch(
        f"/meetings/{original['meeting_id']}/synthesis", json=body, headers=alice.headers
    )

    assert_bad_request(response, field)
    assert await get_synthesis(client, alice.headers, original["meeting_id"]) == original


async def test_patch_without_a_synthesis_is_404(client: Client, alice: Account) -> None:
    bare = await create_meeting(client, alice.headers)

    for meeting_id in (bare["id"], random_id()):
        response = await client.patch(
            f"/meetings/{meeting_id}/synthesis", json={"summary": "s"}, headers=alice.headers
        )
        assert response.status_code == 404, response.text
        assert meeting_id in response.json()["detail"]
    assert (
        await client.get(f"/meetings/{bare['id']}/synthesis", headers=alice.headers)
    ).status_code == 404


async def test_patch_of_a_foreign_synthesis_is_the_same_404_and_changes_nothing(
    client: Client, alice: Account, bob: Account
) -> None:
    alices = await synthesis_for(client, alice.headers, "Alice's")
    missing = random_id()
    body = {"summary": "Bob was here", "email_delivery_status": "sent"}

    foreign = await client.patch(
        f"/meetings/{alices['meeting_id']}/synthesis", json=body, headers=bob.headers
    )
    absent = await client.patch(f"/meetings/{missing}/synthesis", json=body, headers=bob.headers)

    assert_same_not_found(foreign, alices["meeting_id"], absent, missing)
    assert await get_synthesis(client, alice.headers, alices["meeting_id"]) == alices


async def test_post_then_put_then_patch_work_on_one_synthesis(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    meeting = await create_meeting(client, alice.headers)
    url = f"/meetings/{meeting['id']}/synthesis"

    created = await client.post(url, json={"summary": "v1"}, headers=alice.headers)
    replaced = await client.put(url, json={"summary": "v2 two"}, headers=alice.headers)
    patched = await client.patch(url, json={"summary": "v3 three words"}, headers=alice.headers)

    assert (created.status_code, replaced.status_code, patched.status_code) == (201, 200, 200)
    assert created.json()["id"] == replaced.json()["id"] == patched.json()["id"]
    assert patched.json()["summary_word_count"] == 3
    assert await synthesis_row_count(session_conn) == 1
