"""/meetings and /meetings/{id}/participants: record a meeting (with participants
inline), list with filters, search titles, recent, lookup by platform id, edit, move
through the status lifecycle (409 when not allowed), delete with everything it owns."""

import uuid
from datetime import datetime
from typing import Any

import asyncpg
import pytest

from tests.api.conftest import Account
from tests.api.helpers import (
    Client,
    Headers,
    add_participant,
    assert_bad_request,
    create_meeting,
    put_synthesis,
    random_id,
    total,
)

MEETING_FIELDS = {
    "id",
    "user_id",
    "title",
    "description",
    "status",
    "scheduled_at",
    "started_at",
    "ended_at",
    "duration_seconds",
    "platform",
    "platform_meeting_id",
    "meeting_url",
    "transcript",
    "transcript_word_count",
    "transcription_provider",
    "synthesis_provider",
    "processing_time_seconds",
    "error_message",
    "created_at",
    "updated_at",
}
PARTICIPANT_FIELDS = {
    "id",
    "user_id",
    "meeting_id",
    "name",
    "email",
    "is_organizer",
    "created_at",
    "updated_at",
}


async def patch_meeting(client: Client, headers: Headers, meeting_id: str, **body: Any) -> Any:
    response = await client.patch(f"/meetings/{meeting_id}", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def table_count(session_conn: asyncpg.Connection, table: str) -> int:
    count: int = await session_conn.fetchval(f"SELECT count(*) FROM {table}")
    return count


async def titles(client: Client, headers: Headers, query: str) -> tuple[list[str], int]:
    response = await client.get(f"/meetings{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [m["title"] for m in response.json()], total(response)


# --- create -----------------------------------------------------------------------------


async def test_post_answers_201_with_every_field(client: Client, alice: Account) -> None:
    response = await client.post(
        "/meetings",
        json={
            "title": "Q1 Planning Meeting",
            "description": "Quarterly planning session",
            "scheduled_at": "2026-01-22T09:00:00Z",
            "started_at": "2026-01-23T10:00:00Z",
            "ended_at": "2026-01-23T11:15:30Z",
            "platform": "zoom",
            "platform_meeting_id": "123456789",
            "meeting_url": "https://zoom.example.com/j/123456789",
            "transcript": "  Hello everyone,\n welcome   to planning. ",
            "transcription_provider": "soniox",
            "synthesis_provider": "openai",
        },
        headers=alice.headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == MEETING_FIELDS | {"participants"}
    assert body["user_id"] == alice.user["id"]
    assert body["title"] == "Q1 Planning Meeting"
    assert body["description"] == "Quarterly planning session"
    assert body["status"] == "pending"
    assert datetime.fromisoformat(body["started_at"]) == datetime.fromisoformat(
        "2026-01-23T10:00:00+00:00"
    )
    assert body["duration_seconds"] == 75 * 60 + 30
    assert body["transcript_word_count"] == 5
    assert (body["platform"], body["platform_meeting_id"]) == ("zoom", "123456789")
    assert body["meeting_url"] == "https://zoom.example.com/j/123456789"
    assert (body["transcription_provider"], body["synthesis_provider"]) == ("soniox", "openai")
    assert body["participants"] == []
    datetime.fromisoformat(body["created_at"])


async def test_post_with_only_a_title_takes_the_defaults(client: Client, alice: Account) -> None:
    body = await create_meeting(client, alice.headers, "Just a title")

    assert body["status"] == "pending"
    assert body["transcript"] is None
    assert body["transcript_word_count"] is None
    assert body["duration_seconds"] is None
    assert body["participants"] == []


async def test_post_keeps_processing_time_and_error_message(client: Client, alice: Account) -> None:
    """Both are accepted on POST, so they must be stored, not silently dropped."""
    body = await create_meeting(
        client, alice.headers, "imported", processing_time_seconds=30, error_message="no audio"
    )

    assert (body["processing_time_seconds"], body["error_message"]) == (30, "no audio")


async def test_post_with_participants_inline(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    people = [
        {"name": "Ann", "email": "ann@example.com", "is_organizer": True},
        {"name": "Bo", "email": "bo@example.com"},
        {"name": "Cy"},
    ]

    body = await create_meeting(client, alice.headers, "Kickoff", participants=people)

    assert {p["name"] for p in body["participants"]} == {"Ann", "Bo", "Cy"}
    by_name = {p["name"]: p for p in body["participants"]}
    assert by_name["Ann"]["is_organizer"] is True
    assert by_name["Bo"]["is_organizer"] is False
    assert by_name["Cy"]["email"] is None
    assert {p["meeting_id"] for p in body["participants"]} == {body["id"]}
    listed = await client.get(f"/meetings/{body['id']}/participants", headers=alice.headers)
    assert total(listed) == 3
    assert await table_count(session_conn, "participants") == 3


async def test_post_keeps_the_order_of_inline_participants(client: Client, alice: Account) -> None:
    names = [f"Person {i}" for i in range(8)]

    body = await create_meeting(
        client, alice.headers, "Big meeting", participants=[{"name": n} for n in names]
    )

    assert [p["name"] for p in body["participants"]] == names
    fetched = await client.get(f"/meetings/{body['id']}", headers=alice.headers)
    assert [p["name"] for p in fetched.json()["participants"]] == names


@pytest.mark.parametrize(
    "field", ["transcript_word_count", "duration_seconds", "id", "user_id", "created_at", "nope"]
)
async def test_post_with_an_unknown_or_computed_field_is_400(
    client: Client, alice: Account, session_conn: asyncpg.Connection, field: str
) -> None:
    response = await client.post(
        "/meetings", json={"title": "t", "transcript": "a b", field: 3}, headers=alice.headers
    )

    assert_bad_request(response, field)
    assert await table_count(session_conn, "meetings") == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "title", id="missing-title"),
        pytest.param({"title": ""}, "title", id="empty-title"),
        pytest.param({"title": "   "}, "title", id="blank-title"),
        pytest.param({"title": "x" * 256}, "title", id="long-title"),
        pytest.param({"title": 5}, "title", id="number-title"),
        pytest.param({"title": "t", "status": "archived"}, "status", id="bad-status"),
        pytest.param({"title": "t", "started_at": "yesterday"}, "started_at", id="bad-date"),
        pytest.param(
            {"title": "t", "processing_time_seconds": -1}, "processing_time_seconds", id="neg"
        ),
        pytest.param(
            {"title": "t", "participants": [{"name": "Ann", "email": "nope"}]},
            "email",
            id="participant-email",
        ),
        pytest.param({"title": "t", "participants": [{"email": "a@b.co"}]}, "name", id="no-name"),
    ],
)
async def test_post_bad_input_is_400(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    body: dict[str, Any],
    field: str,
) -> None:
    response = await client.post("/meetings", json=body, headers=alice.headers)

    assert_bad_request(response, field)
    assert await table_count(session_conn, "meetings") == 0


async def test_post_ending_before_the_start_is_400(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    response = await client.post(
        "/meetings",
        json={
            "title": "time travel",
            "started_at": "2026-01-23T10:00:00Z",
            "ended_at": "2026-01-23T09:00:00Z",
        },
        headers=alice.headers,
    )

    assert_bad_request(response, "ended_at")
    assert await table_count(session_conn, "meetings") == 0


async def test_post_with_a_duplicate_inline_email_is_409_and_writes_nothing(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    response = await client.post(
        "/meetings",
        json={
            "title": "dup",
            "participants": [
                {"name": "Ann", "email": "ann@example.com"},
                {"name": "Ann again", "email": "ANN@example.com"},
            ],
        },
        headers=alice.headers,
    )

    assert response.status_code == 409, response.text
    assert "email" in response.json()["detail"]
    assert await table_count(session_conn, "meetings") == 0
    assert await table_count(session_conn, "participants") == 0


async def test_meetings_need_a_token(client: Client) -> None:
    response = await client.get("/meetings")
    created = await client.post("/meetings", json={"title": "t"})

    assert response.status_code == 401
    assert created.status_code == 401


# --- list, filters, pages ------------------------------------------------------------------


async def test_list_is_newest_first_with_a_total(client: Client, alice: Account) -> None:
    for i in range(3):
        await create_meeting(client, alice.headers, f"m{i}")

    listed, count = await titles(client, alice.headers, "")

    assert listed == ["m2", "m1", "m0"]
    assert count == 3


async def test_list_pages(client: Client, alice: Account) -> None:
    for i in range(7):
        await create_meeting(client, alice.headers, f"m{i}")

    pages = [await titles(client, alice.headers, f"?limit=3&offset={o}") for o in (0, 3, 6, 9)]

    assert [page for page, _ in pages] == [["m6", "m5", "m4"], ["m3", "m2", "m1"], ["m0"], []]
    assert {count for _, count in pages} == {7}


async def test_list_filters_by_status_and_platform(client: Client, alice: Account) -> None:
    zoom = await create_meeting(client, alice.headers, "zoom pending", platform="zoom")
    await create_meeting(client, alice.headers, "teams pending", platform="teams")
    # A meeting is created pending; PATCH moves it along its lifecycle.
    failed = await create_meeting(client, alice.headers, "zoom failed", platform="zoom")
    await create_meeting(client, alice.headers, "no platform")
    await patch_meeting(client, alice.headers, failed["id"], status="failed")
    await patch_meeting(client, alice.headers, zoom["id"], status="transcribing")

    assert await titles(client, alice.headers, "?status=pending") == (
        ["no platform", "teams pending"],
        2,
    )
    assert await titles(client, alice.headers, "?platform=zoom") == (
        ["zoom failed", "zoom pending"],
        2,
    )
    assert await titles(client, alice.headers, "?platform=zoom&status=transcribing") == (
        ["zoom pending"],
        1,
    )
    assert await titles(client, alice.headers, "?status=completed") == ([], 0)
    assert await titles(client, alice.headers, "?status=failed&limit=1") == (["zoom failed"], 1)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?status=archived", "status"),
        ("?limit=0", "limit"),
        ("?limit=501", "limit"),
        ("?offset=-1", "offset"),
        ("?q=", "q"),
        ("?q=%20%20", "q"),
    ],
)
async def test_list_bad_query_is_400(
    client: Client, alice: Account, query: str, field: str
) -> None:
    response = await client.get(f"/meetings{query}", headers=alice.headers)

    assert_bad_request(response, field)


# --- search -------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["PLANNING", "plan", "planning%20meeting", "Q1"])
async def test_search_is_case_insensitive_and_stemmed(
    client: Client, alice: Account, q: str
) -> None:
    await create_meeting(client, alice.headers, "Q1 Planning Meeting")
    await create_meeting(client, alice.headers, "Weekly standup")

    assert await titles(client, alice.headers, f"?q={q}") == (["Q1 Planning Meeting"], 1)


async def test_search_ranks_the_better_match_first(client: Client, alice: Account) -> None:
    # Created first, so only the rank can put it before the newer, weaker match.
    await create_meeting(client, alice.headers, "Budget review: budget cuts")
    await create_meeting(client, alice.headers, "Budget review")
    await create_meeting(client, alice.headers, "Hiring sync")

    assert await titles(client, alice.headers, "?q=BUDGET") == (
        ["Budget review: budget cuts", "Budget review"],
        2,
    )


async def test_search_pages_keep_the_total(client: Client, alice: Account) -> None:
    for i in range(5):
        await create_meeting(client, alice.headers, f"Retro {i}")

    first = await titles(client, alice.headers, "?q=retro&limit=2")
    last = await titles(client, alice.headers, "?q=retro&limit=2&offset=4")

    assert (len(first[0]), first[1]) == (2, 5)
    assert (len(last[0]), last[1]) == (1, 5)


@pytest.mark.parametrize("query", ["?q=plan&status=pending", "?q=plan&platform=zoom"])
async def test_search_with_filters_is_400(client: Client, alice: Account, query: str) -> None:
    response = await client.get(f"/meetings{query}", headers=alice.headers)

    assert response.status_code == 400, response.text
    assert "q" in response.json()["detail"]


async def test_search_with_odd_characters_finds_nothing(client: Client, alice: Account) -> None:
    await create_meeting(client, alice.headers, "The planning meeting")

    assert await titles(client, alice.headers, "?q=%26%7C%21%28") == ([], 0)
    assert await titles(client, alice.headers, "?q=the") == ([], 0)


# --- recent, by platform id, get ----------------------------------------------------------


async def test_recent_is_newest_first_and_limited(client: Client, alice: Account) -> None:
    for i in range(12):
        await create_meeting(client, alice.headers, f"m{i}")

    default = await client.get("/meetings/recent", headers=alice.headers)
    three = await client.get("/meetings/recent?limit=3", headers=alice.headers)

    assert default.status_code == 200, default.text
    assert [m["title"] for m in default.json()] == [f"m{i}" for i in range(11, 1, -1)]
    assert [m["title"] for m in three.json()] == ["m11", "m10", "m9"]
    bad = await client.get("/meetings/recent?limit=0", headers=alice.headers)
    assert_bad_request(bad, "limit")


async def test_by_platform_id(client: Client, alice: Account) -> None:
    older = await create_meeting(
        client, alice.headers, "older", platform="zoom", platform_meeting_id="999"
    )
    newer = await create_meeting(
        client, alice.headers, "newer", platform="meet", platform_meeting_id="999"
    )

    newest = await client.get("/meetings/by-platform-id/999", headers=alice.headers)
    on_zoom = await client.get("/meetings/by-platform-id/999?platform=zoom", headers=alice.headers)
    on_teams = await client.get(
        "/meetings/by-platform-id/999?platform=teams", headers=alice.headers
    )
    unknown = await client.get("/meetings/by-platform-id/123", headers=alice.headers)

    assert newest.status_code == 200, newest.text
    assert newest.json()["id"] == newer["id"]
    assert set(newest.json()) == MEETING_FIELDS
    assert on_zoom.json()["id"] == older["id"]
    assert on_teams.status_code == 404
    assert unknown.status_code == 404
    assert "123" in unknown.json()["detail"]


async def test_get_one_with_participants(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers, "With people")
    ann = await add_participant(client, alice.headers, meeting["id"], "Ann", is_organizer=True)
    bo = await add_participant(client, alice.headers, meeting["id"], "Bo", email="bo@example.com")

    response = await client.get(f"/meetings/{meeting['id']}", headers=alice.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == MEETING_FIELDS | {"participants"}
    assert body["title"] == "With people"
    assert [p["id"] for p in body["participants"]] == [ann["id"], bo["id"]]
    assert [p["email"] for p in body["participants"]] == [None, "bo@example.com"]
    assert body["participants"][0]["is_organizer"] is True


async def test_get_missing_is_404(client: Client, alice: Account) -> None:
    missing = random_id()

    response = await client.get(f"/meetings/{missing}", headers=alice.headers)

    assert response.status_code == 404
    assert missing in response.json()["detail"]


# --- edit and lifecycle ------------------------------------------------------------------


async def test_patch_changes_only_given_fields(client: Client, alice: Account) -> None:
    meeting = await create_meeting(
        client, alice.headers, "Old title", description="keep", platform="zoom"
    )

    body = await patch_meeting(
        client,
        alice.headers,
        meeting["id"],
        title="New title",
        meeting_url="https://zoom.example.com/1",
        processing_time_seconds=12,
        error_message="partial",
        synthesis_provider="claude",
    )

    assert set(body) == MEETING_FIELDS
    assert body["title"] == "New title"
    assert body["description"] == "keep"
    assert body["platform"] == "zoom"
    assert body["meeting_url"] == "https://zoom.example.com/1"
    assert (body["processing_time_seconds"], body["error_message"]) == (12, "partial")
    assert body["synthesis_provider"] == "claude"
    assert body["created_at"] == meeting["created_at"]
    updated_at = datetime.fromisoformat(body["updated_at"])
    assert updated_at > datetime.fromisoformat(meeting["updated_at"])


async def test_patch_transcript_recomputes_the_word_count(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers, transcript="one two")
    assert meeting["transcript_word_count"] == 2

    body = await patch_meeting(
        client, alice.headers, meeting["id"], transcript=" the  new\ttranscript\nhas five words "
    )

    assert body["transcript_word_count"] == 6
    fetched = await client.get(f"/meetings/{meeting['id']}", headers=alice.headers)
    assert fetched.json()["transcript_word_count"] == 6


async def test_patch_times_recompute_the_duration(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers, started_at="2026-01-23T10:00:00Z")

    body = await patch_meeting(
        client, alice.headers, meeting["id"], ended_at="2026-01-23T10:30:00Z"
    )

    assert body["duration_seconds"] == 1800


@pytest.mark.parametrize(
    "field", ["transcript_word_count", "duration_seconds", "user_id", "participants"]
)
async def test_patch_computed_or_unknown_field_is_400(
    client: Client, alice: Account, field: str
) -> None:
    meeting = await create_meeting(client, alice.headers, transcript="a b")

    response = await client.patch(
        f"/meetings/{meeting['id']}", json={field: 99}, headers=alice.headers
    )

    assert_bad_request(response, field)
    fetched = await client.get(f"/meetings/{meeting['id']}", headers=alice.headers)
    assert fetched.json()["transcript_word_count"] == 2


async def test_patch_ending_before_the_start_is_400(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers, started_at="2026-01-23T10:00:00Z")

    response = await client.patch(
        f"/meetings/{meeting['id']}",
        json={"ended_at": "2026-01-23T09:00:00Z"},
        headers=alice.headers,
    )

    assert_bad_request(response, "ended_at")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "  "}, "title"),
        ({"status": "archived"}, "status"),
        ({"processing_time_seconds": -3}, "processing_time_seconds"),
    ],
)
async def test_patch_bad_input_is_400(
    client: Client, alice: Account, body: dict[str, Any], field: str
) -> None:
    meeting = await create_meeting(client, alice.headers)

    response = await client.patch(f"/meetings/{meeting['id']}", json=body, headers=alice.headers)

    assert_bad_request(response, field)


async def test_the_status_lifecycle(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers)

    for status in ["transcribing", "synthesizing", "completed"]:
        body = await patch_meeting(client, alice.headers, meeting["id"], status=status)
        assert body["status"] == status


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        (["pending"], "completed"),
        (["pending", "transcribing"], "pending"),
        (["pending", "synthesizing"], "transcribing"),
        (["pending", "synthesizing", "completed"], "pending"),
        (["pending", "synthesizing", "completed"], "failed"),
        (["pending", "failed"], "completed"),
    ],
)
async def test_invalid_status_change_is_409(
    client: Client, alice: Account, path: list[str], refused: str
) -> None:
    # Every meeting starts pending (POST accepts no other status); PATCH walks the path.
    assert path[0] == "pending"
    meeting = await create_meeting(client, alice.headers)
    for status in path[1:]:
        await patch_meeting(client, alice.headers, meeting["id"], status=status)
    before = (await client.get(f"/meetings/{meeting['id']}", headers=alice.headers)).json()

    response = await client.patch(
        f"/meetings/{meeting['id']}", json={"status": refused, "title": "x"}, headers=alice.headers
    )

    assert response.status_code == 409, response.text
    assert f"to {refused}" in response.json()["detail"]
    after = (await client.get(f"/meetings/{meeting['id']}", headers=alice.headers)).json()
    assert after == before


async def test_failed_meeting_can_go_back_to_pending(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers)
    await patch_meeting(client, alice.headers, meeting["id"], status="transcribing")
    failed = await patch_meeting(
        client, alice.headers, meeting["id"], status="failed", error_message="provider down"
    )
    assert (failed["status"], failed["error_message"]) == ("failed", "provider down")

    again = await patch_meeting(client, alice.headers, meeting["id"], status="pending")
    skipped = await patch_meeting(client, alice.headers, meeting["id"], status="synthesizing")

    assert again["status"] == "pending"
    assert skipped["status"] == "synthesizing"


async def test_patch_missing_is_404(client: Client, alice: Account) -> None:
    response = await client.patch(
        f"/meetings/{random_id()}", json={"title": "x"}, headers=alice.headers
    )

    assert response.status_code == 404


# --- delete -------------------------------------------------------------------------------


async def test_delete_takes_participants_and_synthesis(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    meeting = await create_meeting(
        client, alice.headers, participants=[{"name": "Ann"}, {"name": "Bo"}]
    )
    await put_synthesis(client, alice.headers, meeting["id"])
    other = await create_meeting(client, alice.headers, participants=[{"name": "Cy"}])
    await put_synthesis(client, alice.headers, other["id"])

    response = await client.delete(f"/meetings/{meeting['id']}", headers=alice.headers)

    assert response.status_code == 204, response.text
    gone = await client.get(f"/meetings/{meeting['id']}", headers=alice.headers)
    assert gone.status_code == 404
    again = await client.delete(f"/meetings/{meeting['id']}", headers=alice.headers)
    assert again.status_code == 404
    meeting_id = uuid.UUID(meeting["id"])
    for table in ("participants", "syntheses"):
        left = await session_conn.fetchval(
            f"SELECT count(*) FROM {table} WHERE meeting_id = $1", meeting_id
        )
        assert left == 0, table
    assert await table_count(session_conn, "participants") == 1
    assert await table_count(session_conn, "syntheses") == 1


# --- participants -------------------------------------------------------------------------


async def test_add_participant(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers)

    response = await client.post(
        f"/meetings/{meeting['id']}/participants",
        json={"name": "Ann", "email": "Ann@Example.com", "is_organizer": True},
        headers=alice.headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == PARTICIPANT_FIELDS
    assert (body["name"], body["email"], body["is_organizer"]) == ("Ann", "Ann@Example.com", True)
    assert (body["meeting_id"], body["user_id"]) == (meeting["id"], alice.user["id"])


async def test_list_participants_oldest_first_with_pages(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers)
    other = await create_meeting(client, alice.headers)
    made = [await add_participant(client, alice.headers, meeting["id"], f"p{i}") for i in range(5)]
    await add_participant(client, alice.headers, other["id"], "elsewhere")

    everyone = await client.get(f"/meetings/{meeting['id']}/participants", headers=alice.headers)
    page = await client.get(
        f"/meetings/{meeting['id']}/participants?limit=2&offset=3", headers=alice.headers
    )

    assert everyone.status_code == 200, everyone.text
    assert [p["id"] for p in everyone.json()] == [p["id"] for p in made]
    assert total(everyone) == 5
    assert [p["name"] for p in page.json()] == ["p3", "p4"]
    assert total(page) == 5


async def test_get_patch_delete_participant(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers)
    person = await add_participant(client, alice.headers, meeting["id"], "Ann", email="a@ex.com")
    url = f"/meetings/{meeting['id']}/participants/{person['id']}"

    fetched = await client.get(url, headers=alice.headers)
    patched = await client.patch(
        url, json={"name": "Ann B.", "is_organizer": True}, headers=alice.headers
    )

    assert fetched.status_code == 200, fetched.text
    assert fetched.json() == person
    assert patched.status_code == 200, patched.text
    assert (patched.json()["name"], patched.json()["email"]) == ("Ann B.", "a@ex.com")
    assert patched.json()["is_organizer"] is True
    deleted = await client.delete(url, headers=alice.headers)
    assert deleted.status_code == 204, deleted.text
    assert (await client.get(url, headers=alice.headers)).status_code == 404
    assert (await client.delete(url, headers=alice.headers)).status_code == 404
    listed = await client.get(f"/meetings/{meeting['id']}/participants", headers=alice.headers)
    assert (listed.json(), total(listed)) == ([], 0)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Ann", "email": "not-an-email"}, "email"),
        ({"name": "Ann", "email": "ann@example"}, "email"),
        ({"name": "  "}, "name"),
        ({}, "name"),
        ({"name": "Ann", "role": "host"}, "role"),
        ({"name": "Ann", "is_organizer": "yes"}, "is_organizer"),
    ],
)
async def test_add_participant_bad_input_is_400(
    client: Client, alice: Account, body: dict[str, Any], field: str
) -> None:
    meeting = await create_meeting(client, alice.headers)

    response = await client.post(
        f"/meetings/{meeting['id']}/participants", json=body, headers=alice.headers
    )

    assert_bad_request(response, field)


async def test_patch_participant_bad_email_is_400(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers)
    person = await add_participant(client, alice.headers, meeting["id"])

    response = await client.patch(
        f"/meetings/{meeting['id']}/participants/{person['id']}",
        json={"email": "bad address@example.com"},
        headers=alice.headers,
    )

    assert_bad_request(response, "email")


async def test_duplicate_participant_email_is_409(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers)
    await add_participant(client, alice.headers, meeting["id"], "Ann", email="ann@example.com")
    bo = await add_participant(client, alice.headers, meeting["id"], "Bo", email="bo@example.com")

    added = await client.post(
        f"/meetings/{meeting['id']}/participants",
        json={"name": "Ann 2", "email": "ANN@EXAMPLE.COM"},
        headers=alice.headers,
    )
    changed = await client.patch(
        f"/meetings/{meeting['id']}/participants/{bo['id']}",
        json={"email": "Ann@example.com"},
        headers=alice.headers,
    )

    for response in (added, changed):
        assert response.status_code == 409, response.text
        assert "email" in response.json()["detail"]
    listed = await client.get(f"/meetings/{meeting['id']}/participants", headers=alice.headers)
    assert sorted(p["email"] for p in listed.json()) == ["ann@example.com", "bo@example.com"]


async def test_participant_under_the_wrong_meeting_is_404(client: Client, alice: Account) -> None:
    meeting = await create_meeting(client, alice.headers)
    other = await create_meeting(client, alice.headers)
    person = await add_participant(client, alice.headers, meeting["id"])
    url = f"/meetings/{other['id']}/participants/{person['id']}"

    assert (await client.get(url, headers=alice.headers)).status_code == 404
    patched = await client.patch(url, json={"name": "x"}, headers=alice.headers)
    assert patched.status_code == 404
    assert (await client.delete(url, headers=alice.headers)).status_code == 404
    still = await client.get(
        f"/meetings/{meeting['id']}/participants/{person['id']}", headers=alice.headers
    )
    assert still.json()["name"] == "Ann"


async def test_participants_of_a_missing_meeting_are_404(client: Client, alice: Account) -> None:
    missing = random_id()

    listed = await client.get(f"/meetings/{missing}/participants", headers=alice.headers)
    added = await client.post(
        f"/meetings/{missing}/participants", json={"name": "Ann"}, headers=alice.headers
    )

    assert listed.status_code == 404
    assert added.status_code == 404
    assert missing in added.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"title": "nul\u0000title"},
        {"title": "t", "transcript": "a\u0000b"},
        {"title": "t", "participants": [{"name": "A\u0000"}]},
    ],
)
async def test_post_with_a_nul_character_is_400_not_500(
    client: Client, alice: Account, session_conn: asyncpg.Connection, body: Any
) -> None:
    response = await client.post("/meetings", json=body, headers=alice.headers)

    assert response.status_code == 400, response.text
    assert await table_count(session_conn, "meetings") == 0


@pytest.mark.parametrize("url", ["/meetings?q=a%00b", "/meetings/by-platform-id/a%00b"])
async def test_lookups_with_a_nul_character_are_400_not_500(
    client: Client, alice: Account, url: str
) -> None:
    response = await client.get(url, headers=alice.headers)

    assert response.status_code == 400, response.text


async def test_embedded_participants_are_exactly_what_the_participants_route_answers(
    client: Client, alice: Account
) -> None:
    meeting = await create_meeting(
        client,
        alice.headers,
        participants=[{"name": "Zed", "email": "zed@example.com", "is_organizer": True}],
    )
    await add_participant(client, alice.headers, meeting["id"], "Amy")

    embedded = (await client.get(f"/meetings/{meeting['id']}", headers=alice.headers)).json()
    listed = await client.get(f"/meetings/{meeting['id']}/participants", headers=alice.headers)

    assert [p["name"] for p in embedded["participants"]] == ["Zed", "Amy"]
    assert embedded["participants"] == listed.json()
    for person in embedded["participants"]:
        assert person["user_id"] == alice.user["id"]
        assert person["created_at"].endswith("Z")
        one = await client.get(
            f"/meetings/{meeting['id']}/participants/{person['id']}", headers=alice.headers
        )
        assert list(one.json().items()) == list(person.items())  # same keys, same order


async def test_the_openapi_document_types_embedded_participants(client: Client) -> None:
    schemas = (await client.get("/schema/openapi.json")).json()["components"]["schemas"]
    embedded = next(s for name, s in schemas.items() if name.endswith("MeetingWithParticipants"))[
        "properties"
    ]["participants"]

    assert embedded["type"] == "array"
    assert embedded["items"]["$ref"].endswith("Participant")


async def test_a_meeting_too_long_for_its_duration_is_400_naming_it(
    client: Client, alice: Account
) -> None:
    response = await client.post(
        "/meetings",
        json={
            "title": "Forever",
            "started_at": "2000-01-01T00:00:00Z",
            "ended_at": "2100-01-01T00:00:00Z",
        },
        headers=alice.headers,
    )

    assert response.status_code == 400, response.text
    assert "duration_seconds" in response.json()["detail"]
    listed = await client.get("/meetings", headers=alice.headers)
    assert listed.json() == []  # nothing was stored


async def test_patching_a_meeting_too_long_is_400_and_changes_nothing(
    client: Client, alice: Account
) -> None:
    meeting = await create_meeting(client, alice.headers, started_at="2000-01-01T00:00:00Z")

    response = await client.patch(
        f"/meetings/{meeting['id']}",
        json={"ended_at": "2100-01-01T00:00:00Z"},
        headers=alice.headers,
    )

    assert response.status_code == 400, response.text
    assert "ended_at" in response.json()["detail"]
    again = (await client.get(f"/meetings/{meeting['id']}", headers=alice.headers)).json()
    assert again["ended_at"] is None and again["duration_seconds"] is None
