"""The tenancy rule on /meetings and /syntheses: alice's meeting, participants and
synthesis answer bob exactly like random ids (404, same body), his calls change
nothing of hers, and his lists, searches and queues never show her rows."""

import json
from typing import Any

import pytest
from httpx import Response

from tests.api.conftest import Account
from tests.api.helpers import (
    Client,
    Headers,
    add_participant,
    create_meeting,
    put_synthesis,
    random_id,
    total,
)

SECRET_TITLE = "Secret zeppelin acquisition"
SECRET_SUMMARY = "The zeppelin acquisition closes in March."
SHARED_PLATFORM_ID = "shared-123"


@pytest.fixture
async def alices(client: Client, alice: Account) -> dict[str, Any]:
    """Alice's meeting with a participant and a pending synthesis that has decisions and
    action items: something for every list bob could read."""
    meeting = await create_meeting(
        client,
        alice.headers,
        SECRET_TITLE,
        platform="zoom",
        platform_meeting_id=SHARED_PLATFORM_ID,
    )
    person = await add_participant(
        client, alice.headers, meeting["id"], "Ann", email="ann@example.com"
    )
    synthesis = await put_synthesis(
        client,
        alice.headers,
        meeting["id"],
        SECRET_SUMMARY,
        key_decisions=["buy it"],
        action_items=["sign"],
        email_recipients=["ann@example.com"],
    )
    return {"meeting": meeting, "participant": person, "synthesis": synthesis}


async def alices_view(client: Client, alice: Account, rows: dict[str, Any]) -> dict[str, Any]:
    """Everything alice can read about her rows, to compare before and after."""
    meeting_id = rows["meeting"]["id"]
    urls = {
        "meeting": f"/meetings/{meeting_id}",
        "participants": f"/meetings/{meeting_id}/participants",
        "participant": f"/meetings/{meeting_id}/participants/{rows['participant']['id']}",
        "synthesis": f"/meetings/{meeting_id}/synthesis",
    }
    view = {}
    for name, url in urls.items():
        response = await client.get(url, headers=alice.headers)
        assert response.status_code == 200, (name, response.text)
        view[name] = response.json()
    return view


def assert_same_answer(foreign: Response, missing: Response, ids: dict[str, str]) -> None:
    """Bob's answer for alice's ids equals the answer for random ids, once each random
    id in the second body is replaced by the matching id of alice's."""
    assert foreign.status_code == 404, foreign.text
    assert missing.status_code == 404, missing.text
    text = missing.text
    for missing_id, foreign_id in ids.items():
        text = text.replace(missing_id, foreign_id)
    assert foreign.json() == json.loads(text)
    assert set(foreign.headers.keys()) == set(missing.headers.keys())


async def call(
    client: Client, method: str, url: str, headers: Headers, body: Any = None
) -> Response:
    return await client.request(method, url, headers=headers, json=body)


# (method, url with {m} for the meeting and {p} for the participant, body)
FOREIGN_ID_CALLS = [
    ("GET", "/meetings/{m}", None),
    ("PATCH", "/meetings/{m}", {"title": "stolen"}),
    ("PATCH", "/meetings/{m}", {"status": "transcribing"}),
    ("PATCH", "/meetings/{m}", {"status": "completed"}),
    ("DELETE", "/meetings/{m}", None),
    ("GET", "/meetings/{m}/participants", None),
    ("POST", "/meetings/{m}/participants", {"name": "Mallory"}),
    ("POST", "/meetings/{m}/participants", {"name": "Mallory", "email": "ann@example.com"}),
    ("GET", "/meetings/{m}/participants/{p}", None),
    ("PATCH", "/meetings/{m}/participants/{p}", {"name": "stolen"}),
    ("PATCH", "/meetings/{m}/participants/{p}", {"email": "mallory@example.com"}),
    ("DELETE", "/meetings/{m}/participants/{p}", None),
    ("GET", "/meetings/{m}/synthesis", None),
    ("PUT", "/meetings/{m}/synthesis", {"summary": "overwritten"}),
    ("DELETE", "/meetings/{m}/synthesis", None),
    ("POST", "/meetings/{m}/synthesis/email", {"email_delivery_status": "sent"}),
    (
        "POST",
        "/meetings/{m}/synthesis/email",
        {"email_delivery_status": "failed", "email_error": "sabotage"},
    ),
]


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        pytest.param(*c, id=f"{c[0]} {c[1]} {json.dumps(c[2]) if c[2] else ''}".strip())
        for c in FOREIGN_ID_CALLS
    ],
)
async def test_alices_ids_answer_404_for_bob_like_random_ids(
    client: Client,
    alice: Account,
    bob: Account,
    alices: dict[str, Any],
    method: str,
    url: str,
    body: Any,
) -> None:
    before = await alices_view(client, alice, alices)
    foreign = {"m": alices["meeting"]["id"], "p": alices["participant"]["id"]}
    missing = {"m": random_id(), "p": random_id()}

    foreign_answer = await call(client, method, url.format(**foreign), bob.headers, body)
    missing_answer = await call(client, method, url.format(**missing), bob.headers, body)

    assert_same_answer(
        foreign_answer, missing_answer, {missing["m"]: foreign["m"], missing["p"]: foreign["p"]}
    )
    assert await alices_view(client, alice, alices) == before


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_alices_participant_under_bobs_meeting_is_404(
    client: Client, alice: Account, bob: Account, alices: dict[str, Any], method: str
) -> None:
    before = await alices_view(client, alice, alices)
    bobs_meeting = await create_meeting(client, bob.headers)
    url = f"/meetings/{bobs_meeting['id']}/participants/{alices['participant']['id']}"
    body = {"name": "stolen"} if method == "PATCH" else None

    response = await call(client, method, url, bob.headers, body)

    assert response.status_code == 404, response.text
    assert await alices_view(client, alice, alices) == before


async def test_bobs_lists_never_show_alices_rows(
    client: Client, alice: Account, bob: Account, alices: dict[str, Any]
) -> None:
    bobs_meeting = await create_meeting(client, bob.headers, "Bob's weekly", platform="zoom")
    await put_synthesis(
        client, bob.headers, bobs_meeting["id"], "Bob's summary", key_decisions=["x"]
    )
    alice_ids = {
        alices["meeting"]["id"],
        alices["participant"]["id"],
        alices["synthesis"]["id"],
    }

    for url, expected_total in [
        ("/meetings", 1),
        ("/meetings?status=pending", 1),
        ("/meetings?platform=zoom", 1),
        ("/meetings?q=zeppelin", 0),
        ("/meetings?q=acquisition", 0),
        ("/syntheses", 1),
        ("/syntheses?q=zeppelin", 0),
        ("/syntheses?has=decisions", 1),
        ("/syntheses?has=action_items", 0),
    ]:
        response = await client.get(url, headers=bob.headers)
        assert response.status_code == 200, (url, response.text)
        assert total(response) == expected_total, url
        assert {row["id"] for row in response.json()}.isdisjoint(alice_ids), url
        assert all(row["user_id"] == bob.user["id"] for row in response.json()), url

    for url in ["/meetings/recent", "/syntheses/pending-email"]:
        response = await client.get(url, headers=bob.headers)
        assert response.status_code == 200, (url, response.text)
        assert len(response.json()) == 1, url
        assert {row["id"] for row in response.json()}.isdisjoint(alice_ids), url

    mine = await client.get("/meetings", headers=alice.headers)
    assert [m["id"] for m in mine.json()] == [alices["meeting"]["id"]]


async def test_by_platform_id_never_finds_alices_meeting(
    client: Client, alice: Account, bob: Account, alices: dict[str, Any]
) -> None:
    url = f"/meetings/by-platform-id/{SHARED_PLATFORM_ID}"

    nothing = await client.get(url, headers=bob.headers)
    bobs = await create_meeting(client, bob.headers, platform_meeting_id=SHARED_PLATFORM_ID)
    own = await client.get(url, headers=bob.headers)
    hers = await client.get(url, headers=alice.headers)

    assert nothing.status_code == 404, nothing.text
    assert own.json()["id"] == bobs["id"]
    assert hers.json()["id"] == alices["meeting"]["id"]


async def test_bob_may_reuse_alices_platform_id_and_participant_email(
    client: Client, bob: Account, alices: dict[str, Any]
) -> None:
    meeting = await create_meeting(
        client,
        bob.headers,
        SECRET_TITLE,
        platform="zoom",
        platform_meeting_id=SHARED_PLATFORM_ID,
        participants=[{"name": "Ann", "email": "ann@example.com"}],
    )

    assert meeting["id"] != alices["meeting"]["id"]
    assert [p["email"] for p in meeting["participants"]] == ["ann@example.com"]
    searched = await client.get("/meetings?q=zeppelin", headers=bob.headers)
    assert [m["id"] for m in searched.json()] == [meeting["id"]]


async def test_bobs_email_updates_leave_alices_queue_alone(
    client: Client, alice: Account, bob: Account, alices: dict[str, Any]
) -> None:
    await client.post(
        f"/meetings/{alices['meeting']['id']}/synthesis/email",
        json={"email_delivery_status": "sent"},
        headers=bob.headers,
    )

    queue = await client.get("/syntheses/pending-email", headers=alice.headers)

    assert [s["id"] for s in queue.json()] == [alices["synthesis"]["id"]]
    assert queue.json()[0]["email_delivery_status"] == "pending"
