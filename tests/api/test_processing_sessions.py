"""/processing-sessions: batch runs whose progress counters follow their jobs."""

from datetime import datetime
from typing import Any

import asyncpg
import pytest

from tests.api.conftest import Account
from tests.api.helpers import (
    Client,
    Headers,
    assert_bad_request,
    claim_job,
    create_processing_session,
    enqueue_job,
    random_id,
    total,
)

SESSION_FIELDS = {
    "id",
    "user_id",
    "name",
    "status",
    "configuration",
    "total_items",
    "completed_items",
    "failed_items",
    "started_at",
    "finished_at",
    "created_at",
    "updated_at",
}


async def get_session(client: Client, headers: Headers, session_id: str) -> Any:
    response = await client.get(f"/processing-sessions/{session_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def counters(session: Any) -> tuple[int, int, int]:
    return session["total_items"], session["completed_items"], session["failed_items"]


# --- create -----------------------------------------------------------------------------


async def test_post_answers_201_with_the_session(client: Client, alice: Account) -> None:
    response = await client.post(
        "/processing-sessions",
        json={"name": "Nightly import", "configuration": {"channels": ["a", "b"], "limit": 50}},
        headers=alice.headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == SESSION_FIELDS
    assert body["name"] == "Nightly import"
    assert body["configuration"] == {"channels": ["a", "b"], "limit": 50}
    assert body["status"] == "pending"
    assert counters(body) == (0, 0, 0)
    assert body["started_at"] is None
    assert body["finished_at"] is None
    assert body["user_id"] == alice.user["id"]
    datetime.fromisoformat(body["created_at"])


async def test_post_with_an_empty_body_takes_the_defaults(client: Client, alice: Account) -> None:
    body = await create_processing_session(client, alice.headers)

    assert body["name"] == "Processing session"
    assert body["configuration"] == {}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"configuration": [1]}, "configuration"),
        ({"configuration": "fast"}, "configuration"),
        ({"status": "running"}, "status"),
        ({"total_items": 5}, "total_items"),
    ],
)
async def test_post_rejects_bad_input_with_400_and_writes_nothing(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    body: dict[str, Any],
    field: str,
) -> None:
    response = await client.post("/processing-sessions", json=body, headers=alice.headers)

    assert_bad_request(response, field)
    assert await session_conn.fetchval("SELECT count(*) FROM processing_sessions") == 0


# --- list -------------------------------------------------------------------------------


async def test_list_is_newest_first_with_status_filter_and_total(
    client: Client, alice: Account
) -> None:
    made = [await create_processing_session(client, alice.headers, name=f"s{i}") for i in range(3)]
    await client.patch(
        f"/processing-sessions/{made[1]['id']}", json={"status": "running"}, headers=alice.headers
    )

    everything = await client.get("/processing-sessions", headers=alice.headers)
    running = await client.get("/processing-sessions?status=running", headers=alice.headers)
    page = await client.get("/processing-sessions?limit=1&offset=2", headers=alice.headers)

    assert [s["name"] for s in everything.json()] == ["s2", "s1", "s0"]
    assert total(everything) == 3
    assert [s["name"] for s in running.json()] == ["s1"]
    assert total(running) == 1
    assert [s["name"] for s in page.json()] == ["s0"]
    assert total(page) == 3


@pytest.mark.parametrize(
    ("query", "param"), [("status=done", "status"), ("limit=0", "limit"), ("limit=501", "limit")]
)
async def test_list_rejects_bad_query_with_400(
    client: Client, alice: Account, query: str, param: str
) -> None:
    response = await client.get(f"/processing-sessions?{query}", headers=alice.headers)

    assert_bad_request(response, param)


# --- one session ------------------------------------------------------------------------


async def test_get_one_session(client: Client, alice: Account) -> None:
    made = await create_processing_session(client, alice.headers, name="one")

    assert await get_session(client, alice.headers, made["id"]) == made


async def test_patch_edits_name_and_configuration(client: Client, alice: Account) -> None:
    made = await create_processing_session(
        client, alice.headers, name="old", configuration={"a": 1}
    )

    response = await client.patch(
        f"/processing-sessions/{made['id']}", json={"name": "new"}, headers=alice.headers
    )
    reconfigured = await client.patch(
        f"/processing-sessions/{made['id']}",
        json={"configuration": {"b": 2}},
        headers=alice.headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["name"] == "new"
    assert response.json()["configuration"] == {"a": 1}
    assert response.json()["status"] == "pending"
    assert reconfigured.json()["configuration"] == {"b": 2}
    assert reconfigured.json()["name"] == "new"


async def test_patch_status_stamps_start_and_finish(client: Client, alice: Account) -> None:
    made = await create_processing_session(client, alice.headers)
    url = f"/processing-sessions/{made['id']}"

    running = (await client.patch(url, json={"status": "running"}, headers=alice.headers)).json()
    done = (await client.patch(url, json={"status": "completed"}, headers=alice.headers)).json()

    assert running["status"] == "running"
    assert running["started_at"] is not None
    assert running["finished_at"] is None
    assert done["status"] == "completed"
    assert done["started_at"] == running["started_at"]
    assert done["finished_at"] is not None
    assert datetime.fromisoformat(done["finished_at"]) >= datetime.fromisoformat(done["started_at"])


@pytest.mark.parametrize("status", ["failed", "cancelled"])
async def test_patch_to_a_final_status_stamps_the_finish(
    client: Client, alice: Account, status: str
) -> None:
    made = await create_processing_session(client, alice.headers)

    response = await client.patch(
        f"/processing-sessions/{made['id']}", json={"status": status}, headers=alice.headers
    )

    assert response.json()["status"] == status
    assert response.json()["finished_at"] is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "done"}, "status"),
        ({"name": ""}, "name"),
        ({"configuration": 3}, "configuration"),
        ({"completed_items": 3}, "completed_items"),
    ],
)
async def test_patch_rejects_bad_input_with_400(
    client: Client, alice: Account, body: dict[str, Any], field: str
) -> None:
    made = await create_processing_session(client, alice.headers)

    response = await client.patch(
        f"/processing-sessions/{made['id']}", json=body, headers=alice.headers
    )

    assert_bad_request(response, field)
    assert await get_session(client, alice.headers, made["id"]) == made


async def test_delete_removes_the_session_and_its_jobs(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    made = await create_processing_session(client, alice.headers)
    inside = await enqueue_job(client, alice.headers, session_id=made["id"])
    outside = await enqueue_job(client, alice.headers)

    response = await client.delete(f"/processing-sessions/{made['id']}", headers=alice.headers)

    assert response.status_code == 204
    gone = await client.get(f"/processing-sessions/{made['id']}", headers=alice.headers)
    assert gone.status_code == 404
    assert (await client.get(f"/jobs/{inside['id']}", headers=alice.headers)).status_code == 404
    assert (await client.get(f"/jobs/{outside['id']}", headers=alice.headers)).status_code == 200
    again = await client.delete(f"/processing-sessions/{made['id']}", headers=alice.headers)
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("method", "body"), [("GET", None), ("PATCH", {"name": "x"}), ("DELETE", None)]
)
async def test_a_missing_session_is_404_naming_it(
    client: Client, alice: Account, method: str, body: Any
) -> None:
    missing = random_id()

    response = await client.request(
        method, f"/processing-sessions/{missing}", json=body, headers=alice.headers
    )

    assert response.status_code == 404, response.text
    assert missing in response.json()["detail"]


# --- progress counters ------------------------------------------------------------------


async def test_counters_follow_the_jobs(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    session = await create_processing_session(client, alice.headers)
    sid = session["id"]
    jobs = [
        await enqueue_job(client, alice.headers, session_id=sid, priority=p)
        for p in (5, 4, 3, 2, 1)
    ]
    await enqueue_job(client, alice.headers)  # outside the session
    enqueued = await get_session(client, alice.headers, sid)

    first = await claim_job(client, alice.headers)
    assert first["id"] == jobs[0]["id"]
    started = await get_session(client, alice.headers, sid)
    await client.post(f"/jobs/{first['id']}/complete", json={"result": 1}, headers=alice.headers)
    after_complete = await get_session(client, alice.headers, sid)

    second = await claim_job(client, alice.headers)
    await client.post(
        f"/jobs/{second['id']}/fail", json={"error_message": "x"}, headers=alice.headers
    )
    after_retryable_failure = await get_session(client, alice.headers, sid)

    await session_conn.execute(
        "UPDATE processing_jobs SET run_after = now() - interval '1 hour' WHERE id = $1",
        second["id"],
    )
    again = await claim_job(client, alice.headers)
    assert again["id"] == second["id"]
    await client.post(
        f"/jobs/{second['id']}/fail",
        json={"error_message": "x", "retry": False},
        headers=alice.headers,
    )
    after_final_failure = await get_session(client, alice.headers, sid)

    await client.post(f"/jobs/{jobs[2]['id']}/cancel", headers=alice.headers)
    after_cancel_queued = await get_session(client, alice.headers, sid)

    running = await claim_job(client, alice.headers)
    await client.post(f"/jobs/{running['id']}/cancel", headers=alice.headers)
    after_cancel_running = await get_session(client, alice.headers, sid)

    assert counters(enqueued) == (5, 0, 0)
    assert enqueued["started_at"] is None
    assert started["started_at"] is not None
    assert counters(after_complete) == (5, 1, 0)
    assert counters(after_retryable_failure) == (5, 1, 0)
    assert counters(after_final_failure) == (5, 1, 1)
    assert counters(after_cancel_queued) == (4, 1, 1)
    assert counters(after_cancel_running) == (3, 1, 1)


async def test_failing_after_max_attempts_counts_once(client: Client, alice: Account) -> None:
    session = await create_processing_session(client, alice.headers)
    queued = await enqueue_job(client, alice.headers, session_id=session["id"], max_attempts=1)
    await claim_job(client, alice.headers)

    await client.post(
        f"/jobs/{queued['id']}/fail", json={"error_message": "x"}, headers=alice.headers
    )

    assert counters(await get_session(client, alice.headers, session["id"])) == (1, 0, 1)


async def test_counters_of_a_session_match_its_jobs_after_one_is_deleted(
    client: Client, alice: Account
) -> None:
    session = await create_processing_session(client, alice.headers)
    kept = await enqueue_job(client, alice.headers, session_id=session["id"], priority=1)
    done = await enqueue_job(client, alice.headers, session_id=session["id"], priority=2)
    await claim_job(client, alice.headers)
    await client.post(f"/jobs/{done['id']}/complete", json={"result": 1}, headers=alice.headers)

    response = await client.delete(f"/jobs/{done['id']}", headers=alice.headers)

    assert response.status_code == 204
    listing = await client.get(f"/jobs?session_id={session['id']}", headers=alice.headers)
    assert [j["id"] for j in listing.json()] == [kept["id"]]
    assert counters(await get_session(client, alice.headers, session["id"])) == (1, 0, 0)


async def test_post_without_a_body_takes_the_defaults(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    response = await client.post("/processing-sessions", headers=alice.headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == SESSION_FIELDS
    assert (body["name"], body["configuration"], body["status"]) == (
        "Processing session",
        {},
        "pending",
    )
    assert counters(body) == (0, 0, 0)
    assert body["user_id"] == alice.user["id"]
    assert await get_session(client, alice.headers, body["id"]) == body
    assert await session_conn.fetchval("SELECT count(*) FROM processing_sessions") == 1


# the session's status follows its jobs


async def _run(client: Client, headers: Headers, session_id: str, n: int) -> list[Any]:
    jobs = [
        await enqueue_job(client, headers, session_id=session_id, max_attempts=1) for _ in range(n)
    ]
    return [await claim_job(client, headers) for _ in jobs]


async def _session(client: Client, headers: Headers, session_id: str) -> Any:
    response = await client.get(f"/processing-sessions/{session_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_session_is_running_once_a_job_runs_and_completed_when_all_are_done(
    client: Client, alice: Account
) -> None:
    made = await create_processing_session(client, alice.headers, name="Batch")
    assert (made["status"], made["finished_at"]) == ("pending", None)
    first, second = await _run(client, alice.headers, made["id"], 2)

    running = await _session(client, alice.headers, made["id"])
    assert running["status"] == "running" and running["started_at"] is not None
    await client.post(f"/jobs/{first['id']}/complete", json={}, headers=alice.headers)
    assert (await _session(client, alice.headers, made["id"]))["status"] == "running"
    done = await client.post(f"/jobs/{second['id']}/complete", json={}, headers=alice.headers)
    assert done.status_code == 200, done.text

    finished = await _session(client, alice.headers, made["id"])
    assert finished["status"] == "completed"
    assert (finished["completed_items"], finished["total_items"]) == (2, 2)
    assert finished["finished_at"] is not None
    assert datetime.fromisoformat(finished["finished_at"]) >= datetime.fromisoformat(
        finished["started_at"]
    )


async def test_a_session_with_a_failed_job_ends_failed_and_runs_again_with_new_work(
    client: Client, alice: Account
) -> None:
    made = await create_processing_session(client, alice.headers, name="Batch")
    ok, bad = await _run(client, alice.headers, made["id"], 2)
    await client.post(f"/jobs/{ok['id']}/complete", json={}, headers=alice.headers)
    failed = await client.post(
        f"/jobs/{bad['id']}/fail", json={"error_message": "boom"}, headers=alice.headers
    )
    assert failed.json()["status"] == "failed"

    ended = await _session(client, alice.headers, made["id"])
    assert (ended["status"], ended["failed_items"]) == ("failed", 1)
    assert ended["finished_at"] is not None

    await enqueue_job(client, alice.headers, session_id=made["id"])
    again = await _session(client, alice.headers, made["id"])
    assert (again["status"], again["finished_at"]) == ("running", None)


async def test_a_session_whose_jobs_are_all_cancelled_is_cancelled(
    client: Client, alice: Account
) -> None:
    made = await create_processing_session(client, alice.headers, name="Batch")
    job = await enqueue_job(client, alice.headers, session_id=made["id"])

    cancelled = await client.post(f"/jobs/{job['id']}/cancel", headers=alice.headers)

    assert cancelled.status_code == 200, cancelled.text
    ended = await _session(client, alice.headers, made["id"])
    assert ended["status"] == "cancelled" and ended["finished_at"] is not None
