"""/jobs: enqueue (idempotency key), claim one or a batch by priority, complete with a
JSON result, fail with exponential back-off by the database clock, cancel, delete."""

import asyncio
from datetime import UTC, datetime, timedelta
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

JOB_FIELDS = {
    "id",
    "user_id",
    "session_id",
    "job_type",
    "entity_type",
    "entity_id",
    "status",
    "priority",
    "attempts",
    "max_attempts",
    "run_after",
    "payload",
    "result",
    "error_message",
    "idempotency_key",
    "locked_by",
    "locked_at",
    "started_at",
    "finished_at",
    "created_at",
    "updated_at",
}
BACKOFF = 10  # TUBEBASE_JOB_BACKOFF_SECONDS' default, which the test app uses
TOLERANCE = 2


async def make_ready(session_conn: asyncpg.Connection, job_id: str) -> None:
    """End a job's back-off without waiting for it."""
    await session_conn.execute("UPDATE processing_jobs SET run_after = now() WHERE id = $1", job_id)


async def database_now(session_conn: asyncpg.Connection) -> datetime:
    now: datetime = await session_conn.fetchval("SELECT now()")
    return now


async def fail(client: Client, headers: Headers, job_id: str, **body: Any) -> Any:
    response = await client.post(
        f"/jobs/{job_id}/fail", json={"error_message": "boom", **body}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def job(client: Client, headers: Headers, job_id: str) -> Any:
    response = await client.get(f"/jobs/{job_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


# --- enqueue ----------------------------------------------------------------------------


async def test_enqueue_answers_201_with_the_queued_job(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    entity_id = random_id()
    before = await database_now(session_conn)

    response = await client.post(
        "/jobs",
        json={
            "job_type": "chunk_transcript",
            "entity_type": "transcript",
            "entity_id": entity_id,
            "priority": 7,
            "max_attempts": 5,
            "payload": {"chunk_tokens": 100, "nested": {"a": [1, 2]}},
        },
        headers=alice.headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == JOB_FIELDS
    assert body["job_type"] == "chunk_transcript"
    assert (body["entity_type"], body["entity_id"]) == ("transcript", entity_id)
    assert body["status"] == "queued"
    assert body["priority"] == 7
    assert body["attempts"] == 0
    assert body["max_attempts"] == 5
    assert body["payload"] == {"chunk_tokens": 100, "nested": {"a": [1, 2]}}
    assert body["result"] is None
    assert body["error_message"] is None
    assert body["session_id"] is None
    assert body["idempotency_key"] is None
    assert body["locked_by"] is body["locked_at"] is body["started_at"] is None
    assert body["finished_at"] is None
    assert body["user_id"] == alice.user["id"]
    assert abs((at(body["run_after"]) - before).total_seconds()) <= TOLERANCE


async def test_enqueue_defaults(client: Client, alice: Account) -> None:
    body = await enqueue_job(client, alice.headers, job_type="noop")

    assert (body["priority"], body["max_attempts"], body["payload"]) == (0, 3, {})
    assert body["entity_type"] is body["entity_id"] is None


async def test_a_repeated_idempotency_key_answers_200_with_the_first_job(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    first = await client.post(
        "/jobs",
        json={"job_type": "import", "idempotency_key": "import-2024-05-01", "priority": 1},
        headers=alice.headers,
    )
    again = await client.post(
        "/jobs",
        json={"job_type": "import", "idempotency_key": "import-2024-05-01", "priority": 9},
        headers=alice.headers,
    )
    other = await client.post(
        "/jobs",
        json={"job_type": "import", "idempotency_key": "import-2024-05-02"},
        headers=alice.headers,
    )

    assert first.status_code == 201, first.text
    assert first.json()["idempotency_key"] == "import-2024-05-01"
    assert again.status_code == 200, again.text
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["priority"] == 1
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]
    assert await session_conn.fetchval("SELECT count(*) FROM processing_jobs") == 2


async def test_the_idempotency_key_still_answers_after_the_job_ran(
    client: Client, alice: Account
) -> None:
    first = await enqueue_job(client, alice.headers, idempotency_key="once")
    await claim_job(client, alice.headers)
    await client.post(f"/jobs/{first['id']}/complete", json={"result": 1}, headers=alice.headers)

    again = await client.post(
        "/jobs", json={"job_type": "test_job", "idempotency_key": "once"}, headers=alice.headers
    )

    assert again.status_code == 200
    assert again.json()["status"] == "completed"
    assert again.json()["id"] == first["id"]


async def test_concurrent_enqueues_with_one_key_make_one_job(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    body = {"job_type": "import", "idempotency_key": "same"}

    answers = await asyncio.gather(
        *(client.post("/jobs", json=body, headers=alice.headers) for _ in range(6))
    )

    assert sorted(r.status_code for r in answers) == [200] * 5 + [201]
    assert len({r.json()["id"] for r in answers}) == 1
    assert await session_conn.fetchval("SELECT count(*) FROM processing_jobs") == 1


async def test_jobs_without_a_key_are_never_merged(client: Client, alice: Account) -> None:
    first = await enqueue_job(client, alice.headers)
    second = await enqueue_job(client, alice.headers)

    assert first["id"] != second["id"]


async def test_enqueue_into_a_session(client: Client, alice: Account) -> None:
    session = await create_processing_session(client, alice.headers)

    body = await enqueue_job(client, alice.headers, session_id=session["id"])

    assert body["session_id"] == session["id"]


async def test_enqueue_into_a_missing_session_is_404_and_writes_nothing(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    response = await client.post(
        "/jobs", json={"job_type": "x", "session_id": random_id()}, headers=alice.headers
    )

    assert response.status_code == 404, response.text
    assert "session_id" in response.json()["detail"]
    assert await session_conn.fetchval("SELECT count(*) FROM processing_jobs") == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "job_type", id="missing-job-type"),
        pytest.param({"job_type": ""}, "job_type", id="empty-job-type"),
        pytest.param({"job_type": "Chunk"}, "job_type", id="upper-case-job-type"),
        pytest.param({"job_type": "1job"}, "job_type", id="digit-first-job-type"),
        pytest.param({"job_type": "has space"}, "job_type", id="space-in-job-type"),
        pytest.param({"job_type": "x", "entity_type": "video"}, "entity_type", id="type-no-id"),
        pytest.param({"job_type": "x", "entity_id": random_id()}, "entity_id", id="id-no-type"),
        pytest.param(
            {"job_type": "x", "entity_type": "video", "entity_id": "abc"},
            "entity_id",
            id="entity-id-not-uuid",
        ),
        pytest.param({"job_type": "x", "max_attempts": 0}, "max_attempts", id="max-attempts-0"),
        pytest.param({"job_type": "x", "max_attempts": 101}, "max_attempts", id="max-attempts-101"),
        pytest.param({"job_type": "x", "priority": 1001}, "priority", id="priority-too-high"),
        pytest.param({"job_type": "x", "priority": "high"}, "priority", id="priority-string"),
        pytest.param({"job_type": "x", "payload": [1]}, "payload", id="payload-list"),
        pytest.param({"job_type": "x", "run_after": "tomorrow"}, "run_after", id="run-after"),
        pytest.param({"job_type": "x", "idempotency_key": ""}, "idempotency_key", id="empty-key"),
        pytest.param({"job_type": "x", "session_id": "abc"}, "session_id", id="session-id"),
        pytest.param({"job_type": "x", "status": "running"}, "status", id="status-field"),
        pytest.param({"job_type": "x", "attempts": 3}, "attempts", id="attempts-field"),
    ],
)
async def test_enqueue_rejects_bad_input_with_400_and_writes_nothing(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    body: dict[str, Any],
    field: str,
) -> None:
    response = await client.post("/jobs", json=body, headers=alice.headers)

    assert_bad_request(response, field)
    assert await session_conn.fetchval("SELECT count(*) FROM processing_jobs") == 0


# --- claim ------------------------------------------------------------------------------


async def test_claim_marks_the_job_running(client: Client, alice: Account) -> None:
    queued = await enqueue_job(client, alice.headers)

    response = await client.post("/jobs/claim", json={"worker": "w-1"}, headers=alice.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == queued["id"]
    assert body["status"] == "running"
    assert body["attempts"] == 1
    assert body["locked_by"] == "w-1"
    assert body["locked_at"] is not None
    assert body["started_at"] is not None
    assert (await job(client, alice.headers, queued["id"]))["status"] == "running"


async def test_claim_without_a_body_names_the_worker_http(client: Client, alice: Account) -> None:
    await enqueue_job(client, alice.headers)

    response = await client.post("/jobs/claim", headers=alice.headers)

    assert response.json()["locked_by"] == "http"


async def test_claim_with_nothing_ready_is_204(client: Client, alice: Account) -> None:
    empty = await client.post("/jobs/claim", headers=alice.headers)
    await enqueue_job(client, alice.headers)
    await claim_job(client, alice.headers)
    drained = await client.post("/jobs/claim", headers=alice.headers)

    assert empty.status_code == 204
    assert empty.content == b""
    assert drained.status_code == 204


async def test_claims_go_by_priority_highest_first(client: Client, alice: Account) -> None:
    for priority in (0, 10, -5, 5, 1000, -1000):
        await enqueue_job(client, alice.headers, priority=priority)

    claimed = [(await claim_job(client, alice.headers))["priority"] for _ in range(6)]

    assert claimed == [1000, 10, 5, 0, -5, -1000]
    assert (await client.post("/jobs/claim", headers=alice.headers)).status_code == 204


async def test_equal_priority_claims_oldest_first(client: Client, alice: Account) -> None:
    made = [await enqueue_job(client, alice.headers, payload={"n": i}) for i in range(4)]

    claimed = [(await claim_job(client, alice.headers))["id"] for _ in range(4)]

    assert claimed == [j["id"] for j in made]


async def test_concurrent_claims_never_hand_out_a_job_twice(client: Client, alice: Account) -> None:
    made = {(await enqueue_job(client, alice.headers))["id"] for _ in range(4)}

    answers = await asyncio.gather(
        *(client.post("/jobs/claim", headers=alice.headers) for _ in range(8))
    )

    claimed = [r.json()["id"] for r in answers if r.status_code == 200]
    assert sorted(r.status_code for r in answers) == [200] * 4 + [204] * 4
    assert sorted(claimed) == sorted(made)


async def test_claim_only_the_given_job_types(client: Client, alice: Account) -> None:
    await enqueue_job(client, alice.headers, job_type="alpha", priority=100)
    beta = await enqueue_job(client, alice.headers, job_type="beta")
    gamma = await enqueue_job(client, alice.headers, job_type="gamma")

    first = await claim_job(client, alice.headers, job_types=["beta", "gamma"])
    second = await claim_job(client, alice.headers, job_types=["beta", "gamma"])
    none = await client.post("/jobs/claim", json={"job_types": ["beta"]}, headers=alice.headers)

    assert {first["id"], second["id"]} == {beta["id"], gamma["id"]}
    assert none.status_code == 204


async def test_a_job_is_not_claimed_before_its_run_after(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    future = await enqueue_job(client, alice.headers, run_after=later)

    too_early = await client.post("/jobs/claim", headers=alice.headers)
    await make_ready(session_conn, future["id"])
    ready = await client.post("/jobs/claim", headers=alice.headers)

    assert at(future["run_after"]) == datetime.fromisoformat(later)
    assert too_early.status_code == 204
    assert ready.status_code == 200
    assert ready.json()["id"] == future["id"]


async def test_a_past_run_after_is_ready_at_once(client: Client, alice: Account) -> None:
    past = await enqueue_job(client, alice.headers, run_after="2001-01-01T00:00:00Z")

    assert (await claim_job(client, alice.headers))["id"] == past["id"]


async def test_claim_batch_takes_up_to_limit_by_priority(client: Client, alice: Account) -> None:
    for priority in (1, 5, 3, 4, 2):
        await enqueue_job(client, alice.headers, priority=priority)

    first = await client.post(
        "/jobs/claim-batch", json={"limit": 3, "worker": "batcher"}, headers=alice.headers
    )
    rest = await client.post("/jobs/claim-batch", json={"limit": 10}, headers=alice.headers)
    nothing = await client.post("/jobs/claim-batch", json={}, headers=alice.headers)

    assert first.status_code == 200, first.text
    assert [j["priority"] for j in first.json()] == [5, 4, 3]
    assert {j["status"] for j in first.json()} == {"running"}
    assert {j["locked_by"] for j in first.json()} == {"batcher"}
    assert [j["priority"] for j in rest.json()] == [2, 1]
    assert nothing.status_code == 200
    assert nothing.json() == []


async def test_claim_batch_filters_job_types(client: Client, alice: Account) -> None:
    await enqueue_job(client, alice.headers, job_type="a")
    wanted = [await enqueue_job(client, alice.headers, job_type="b") for _ in range(2)]

    response = await client.post(
        "/jobs/claim-batch", json={"job_types": ["b"], "limit": 5}, headers=alice.headers
    )

    assert sorted(j["id"] for j in response.json()) == sorted(j["id"] for j in wanted)


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/jobs/claim-batch", {"limit": 0}, "limit"),
        ("/jobs/claim-batch", {"limit": 101}, "limit"),
        ("/jobs/claim", {"job_types": []}, "job_types"),
        ("/jobs/claim", {"job_types": ["Bad Type"]}, "job_types"),
        ("/jobs/claim", {"worker": ""}, "worker"),
        ("/jobs/claim", {"limit": 2}, "limit"),
    ],
)
async def test_claim_rejects_bad_input_with_400_and_claims_nothing(
    client: Client, alice: Account, url: str, body: dict[str, Any], field: str
) -> None:
    queued = await enqueue_job(client, alice.headers)

    response = await client.post(url, json=body, headers=alice.headers)

    assert_bad_request(response, field)
    assert (await job(client, alice.headers, queued["id"]))["status"] == "queued"


async def test_a_job_whose_worker_vanished_is_claimed_again(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    queued = await enqueue_job(client, alice.headers)
    await claim_job(client, alice.headers, worker="ghost")
    await session_conn.execute(
        "UPDATE processing_jobs SET locked_at = now() - interval '1 hour' WHERE id = $1",
        queued["id"],
    )

    again = await claim_job(client, alice.headers, worker="alive")

    assert again["id"] == queued["id"]
    assert again["attempts"] == 2
    assert again["locked_by"] == "alive"
    assert "ghost" in again["error_message"]


async def test_a_recently_claimed_job_is_not_taken_from_its_worker(
    client: Client, alice: Account
) -> None:
    await enqueue_job(client, alice.headers)
    await claim_job(client, alice.headers, worker="busy")

    response = await client.post("/jobs/claim", headers=alice.headers)

    assert response.status_code == 204


# --- complete ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "result",
    [
        pytest.param({"chunks": 12, "nested": {"ok": True, "list": [1, "a", None]}}, id="object"),
        pytest.param([1, 2, {"three": 3}], id="list"),
        pytest.param(42, id="integer"),
        pytest.param(2.5, id="float"),
        pytest.param("done", id="string"),
        pytest.param(True, id="boolean"),
        pytest.param(None, id="null"),
    ],
)
async def test_complete_stores_a_json_result(client: Client, alice: Account, result: Any) -> None:
    queued = await enqueue_job(client, alice.headers)
    await claim_job(client, alice.headers)

    response = await client.post(
        f"/jobs/{queued['id']}/complete", json={"result": result}, headers=alice.headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "completed"
    assert body["result"] == result
    assert body["finished_at"] is not None
    assert body["locked_by"] is body["locked_at"] is None
    assert (await job(client, alice.headers, queued["id"]))["result"] == result


async def test_complete_with_an_empty_body_stores_no_result(client: Client, alice: Account) -> None:
    queued = await enqueue_job(client, alice.headers)
    await claim_job(client, alice.headers)

    response = await client.post(f"/jobs/{queued['id']}/complete", json={}, headers=alice.headers)

    assert response.status_code == 200, response.text
    assert response.json()["result"] is None


async def test_complete_clears_the_error_of_an_earlier_attempt(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    queued = await enqueue_job(client, alice.headers)
    await claim_job(client, alice.headers)
    await fail(client, alice.headers, queued["id"], error_message="first try broke")
    await make_ready(session_conn, queued["id"])
    await claim_job(client, alice.headers)

    response = await client.post(
        f"/jobs/{queued['id']}/complete", json={"result": "ok"}, headers=alice.headers
    )

    assert response.json()["error_message"] is None
    assert response.json()["attempts"] == 2


async def test_complete_rejects_unknown_fields(client: Client, alice: Account) -> None:
    queued = await enqueue_job(client, alice.headers)
    await claim_job(client, alice.headers)

    response = await client.post(
        f"/jobs/{queued['id']}/complete", json={"output": 1}, headers=alice.headers
    )

    assert_bad_request(response, "output")
    assert (await job(client, alice.headers, queued["id"]))["status"] == "running"


# --- fail and back-off ------------------------------------------------------------------


async def test_fail_requeues_with_back_off_by_the_database_clock(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    queued = await enqueue_job(client, alice.headers, max_attempts=3)
    await claim_job(client, alice.headers)

    first = await fail(client, alice.headers, queued["id"], error_message="timeout")
    now = await database_now(session_conn)

    assert first["status"] == "queued"
    assert first["attempts"] == 1
    assert first["error_message"] == "timeout"
    assert first["finished_at"] is None
    assert first["locked_by"] is None
    assert abs((at(first["run_after"]) - now).total_seconds() - BACKOFF) <= TOLERANCE
    # Backed off: not claimable until run_after.
    assert (await client.post("/jobs/claim", headers=alice.headers)).status_code == 204

    await make_ready(session_conn, queued["id"])
    assert (await claim_job(client, alice.headers))["attempts"] == 2
    second = await fail(client, alice.headers, queued["id"], error_message="timeout again")
    now = await database_now(session_conn)

    assert second["status"] == "queued"
    assert second["attempts"] == 2
    assert second["error_message"] == "timeout again"
    assert abs((at(second["run_after"]) - now).total_seconds() - 2 * BACKOFF) <= TOLERANCE


async def test_fail_after_max_attempts_is_final(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    queued = await enqueue_job(client, alice.headers, max_attempts=3)
    statuses = []

    for attempt in range(3):
        await make_ready(session_conn, queued["id"])
        claimed = await claim_job(client, alice.headers)
        assert claimed["attempts"] == attempt + 1
        statuses.append((await fail(client, alice.headers, queued["id"]))["status"])

    assert statuses == ["queued", "queued", "failed"]
    final = await job(client, alice.headers, queued["id"])
    assert final["status"] == "failed"
    assert final["attempts"] == 3
    assert final["finished_at"] is not None
    await make_ready(session_conn, queued["id"])
    assert (await client.post("/jobs/claim", headers=alice.headers)).status_code == 204


async def test_max_attempts_one_fails_on_the_first_failure(client: Client, alice: Account) -> None:
    queued = await enqueue_job(client, alice.headers, max_attempts=1)
    await claim_job(client, alice.headers)

    body = await fail(client, alice.headers, queued["id"])

    assert body["status"] == "failed"


async def test_fail_without_retry_fails_at_once(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    queued = await enqueue_job(client, alice.headers, max_attempts=10)
    await claim_job(client, alice.headers)

    body = await fail(client, alice.headers, queued["id"], error_message="bad input", retry=False)

    assert body["status"] == "failed"
    assert body["attempts"] == 1
    assert body["error_message"] == "bad input"
    assert body["finished_at"] is not None
    await make_ready(session_conn, queued["id"])
    assert (await client.post("/jobs/claim", headers=alice.headers)).status_code == 204


async def test_back_off_doubles_up_to_its_cap(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    queued = await enqueue_job(client, alice.headers, max_attempts=20)
    delays = []

    for _ in range(10):
        await make_ready(session_conn, queued["id"])
        await claim_job(client, alice.headers)
        body = await fail(client, alice.headers, queued["id"])
        now = await database_now(session_conn)
        delays.append(round((at(body["run_after"]) - now).total_seconds()))

    expected = [min(3600, BACKOFF * 2**n) for n in range(10)]
    assert all(abs(d - e) <= TOLERANCE for d, e in zip(delays, expected, strict=True)), delays


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "error_message"),
        ({"error_message": ""}, "error_message"),
        ({"error_message": "x", "retry": "no"}, "retry"),
        ({"error_message": "x", "delay": 5}, "delay"),
    ],
)
async def test_fail_rejects_bad_input_with_400(
    client: Client, alice: Account, body: dict[str, Any], field: str
) -> None:
    queued = await enqueue_job(client, alice.headers)
    await claim_job(client, alice.headers)

    response = await client.post(f"/jobs/{queued['id']}/fail", json=body, headers=alice.headers)

    assert_bad_request(response, field)
    assert (await job(client, alice.headers, queued["id"]))["status"] == "running"


# --- cancel -----------------------------------------------------------------------------


async def test_cancel_a_queued_job(client: Client, alice: Account) -> None:
    queued = await enqueue_job(client, alice.headers)

    response = await client.post(f"/jobs/{queued['id']}/cancel", headers=alice.headers)

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert response.json()["finished_at"] is not None
    assert (await client.post("/jobs/claim", headers=alice.headers)).status_code == 204


async def test_cancel_a_running_job_then_its_worker_cannot_complete_it(
    client: Client, alice: Account
) -> None:
    queued = await enqueue_job(client, alice.headers)
    await claim_job(client, alice.headers)

    cancelled = await client.post(f"/jobs/{queued['id']}/cancel", headers=alice.headers)
    late = await client.post(
        f"/jobs/{queued['id']}/complete", json={"result": 1}, headers=alice.headers
    )

    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["locked_by"] is None
    assert late.status_code == 409, late.text
    assert "cancelled" in late.json()["detail"]
    assert (await job(client, alice.headers, queued["id"]))["result"] is None


# --- not running: 409; not found: 404 ---------------------------------------------------


async def queued_job(client: Client, headers: Headers) -> str:
    return str((await enqueue_job(client, headers))["id"])


async def completed_job(client: Client, headers: Headers) -> str:
    job_id = await queued_job(client, headers)
    await claim_job(client, headers)
    await client.post(f"/jobs/{job_id}/complete", json={"result": 1}, headers=headers)
    return job_id


async def failed_job(client: Client, headers: Headers) -> str:
    job_id = await queued_job(client, headers)
    await claim_job(client, headers)
    await fail(client, headers, job_id, retry=False)
    return job_id


async def cancelled_job(client: Client, headers: Headers) -> str:
    job_id = await queued_job(client, headers)
    await client.post(f"/jobs/{job_id}/cancel", headers=headers)
    return job_id


ACTIONS = {
    "complete": {"result": {"x": 1}},
    "fail": {"error_message": "late"},
    "cancel": None,
}


@pytest.mark.parametrize(
    ("make", "state", "actions"),
    [
        (queued_job, "queued", ["complete", "fail"]),
        (completed_job, "completed", ["complete", "fail", "cancel"]),
        (failed_job, "failed", ["complete", "fail", "cancel"]),
        (cancelled_job, "cancelled", ["complete", "fail", "cancel"]),
    ],
)
async def test_acting_on_a_job_that_is_not_running_is_409_and_changes_nothing(
    client: Client, alice: Account, make: Any, state: str, actions: list[str]
) -> None:
    job_id = await make(client, alice.headers)
    before = await job(client, alice.headers, job_id)

    for action in actions:
        response = await client.post(
            f"/jobs/{job_id}/{action}", json=ACTIONS[action], headers=alice.headers
        )
        assert response.status_code == 409, (action, response.text)
        assert f"cannot {action}" in response.json()["detail"]
        assert state in response.json()["detail"]

    assert await job(client, alice.headers, job_id) == before


@pytest.mark.parametrize("action", ["complete", "fail", "cancel"])
async def test_acting_on_a_missing_job_is_404(client: Client, alice: Account, action: str) -> None:
    missing = random_id()

    response = await client.post(
        f"/jobs/{missing}/{action}", json=ACTIONS[action], headers=alice.headers
    )

    assert response.status_code == 404, response.text
    assert missing in response.json()["detail"]


# --- list, get, delete ------------------------------------------------------------------


async def test_list_is_newest_first_with_filters_and_total(client: Client, alice: Account) -> None:
    session = await create_processing_session(client, alice.headers)
    first = await enqueue_job(client, alice.headers, job_type="alpha")
    second = await enqueue_job(client, alice.headers, job_type="beta", session_id=session["id"])
    third = await enqueue_job(client, alice.headers, job_type="alpha", session_id=session["id"])
    await claim_job(client, alice.headers, job_types=["beta"])

    everything = await client.get("/jobs", headers=alice.headers)
    alpha = await client.get("/jobs?job_type=alpha", headers=alice.headers)
    running = await client.get("/jobs?status=running", headers=alice.headers)
    in_session = await client.get(f"/jobs?session_id={session['id']}", headers=alice.headers)
    alpha_in_session = await client.get(
        f"/jobs?session_id={session['id']}&job_type=alpha&status=queued", headers=alice.headers
    )
    page = await client.get("/jobs?limit=1&offset=1", headers=alice.headers)

    assert [j["id"] for j in everything.json()] == [third["id"], second["id"], first["id"]]
    assert total(everything) == 3
    assert [j["id"] for j in alpha.json()] == [third["id"], first["id"]]
    assert [j["id"] for j in running.json()] == [second["id"]]
    assert total(in_session) == 2
    assert [j["id"] for j in alpha_in_session.json()] == [third["id"]]
    assert [j["id"] for j in page.json()] == [second["id"]]
    assert total(page) == 3


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("status=done", "status"),
        ("session_id=abc", "session_id"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("offset=-1", "offset"),
    ],
)
async def test_list_rejects_bad_query_with_400(
    client: Client, alice: Account, query: str, param: str
) -> None:
    response = await client.get(f"/jobs?{query}", headers=alice.headers)

    assert_bad_request(response, param)


async def test_get_one_job(client: Client, alice: Account) -> None:
    queued = await enqueue_job(client, alice.headers, payload={"k": "v"})

    assert await job(client, alice.headers, queued["id"]) == queued


async def test_delete_a_job(client: Client, alice: Account) -> None:
    queued = await enqueue_job(client, alice.headers)

    response = await client.delete(f"/jobs/{queued['id']}", headers=alice.headers)

    assert response.status_code == 204
    assert (await client.get(f"/jobs/{queued['id']}", headers=alice.headers)).status_code == 404
    again = await client.delete(f"/jobs/{queued['id']}", headers=alice.headers)
    assert again.status_code == 404


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_a_missing_job_is_404_naming_it(client: Client, alice: Account, method: str) -> None:
    missing = random_id()

    response = await client.request(method, f"/jobs/{missing}", headers=alice.headers)

    assert response.status_code == 404, response.text
    assert missing in response.json()["detail"]


async def test_complete_without_a_body_stores_no_result(client: Client, alice: Account) -> None:
    queued = await enqueue_job(client, alice.headers)
    await claim_job(client, alice.headers)

    response = await client.post(f"/jobs/{queued['id']}/complete", headers=alice.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["result"]) == ("completed", None)
    assert body["finished_at"] is not None
    assert body["locked_by"] is body["locked_at"] is None
    assert await job(client, alice.headers, queued["id"]) == body


async def test_complete_without_a_body_of_a_job_that_is_not_running_is_409(
    client: Client, alice: Account
) -> None:
    queued = await enqueue_job(client, alice.headers)

    response = await client.post(f"/jobs/{queued['id']}/complete", headers=alice.headers)

    assert response.status_code == 409, response.text
    assert (await job(client, alice.headers, queued["id"]))["status"] == "queued"


# PATCH /jobs/{id}


async def test_patch_a_queued_job(client: Client, alice: Account) -> None:
    job = await enqueue_job(client, alice.headers, payload={"a": 1})
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()

    response = await client.patch(
        f"/jobs/{job['id']}",
        json={"priority": 7, "max_attempts": 9, "run_after": later, "payload": {"b": 2}},
        headers=alice.headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["priority"], body["max_attempts"], body["payload"]) == (7, 9, {"b": 2})
    assert datetime.fromisoformat(body["run_after"]) == datetime.fromisoformat(later)
    assert body["status"] == "queued"
    # run_after in the future: nothing to claim now
    claim = await client.post("/jobs/claim", json={}, headers=alice.headers)
    assert claim.status_code == 204


async def test_patch_a_job_that_left_the_queue_is_409_and_changes_nothing(
    client: Client, alice: Account
) -> None:
    job = await enqueue_job(client, alice.headers)
    await claim_job(client, alice.headers)

    response = await client.patch(f"/jobs/{job['id']}", json={"priority": 5}, headers=alice.headers)

    assert response.status_code == 409, response.text
    assert "running" in response.json()["detail"]
    fetched = await client.get(f"/jobs/{job['id']}", headers=alice.headers)
    assert fetched.json()["priority"] == job["priority"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"priority": None}, "priority"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"status": "completed"}, "status"),
        ({"run_after": "yesterday"}, "run_after"),
    ],
)
async def test_patch_rejects_bad_fields(
    client: Client, alice: Account, body: dict[str, Any], field: str
) -> None:
    job = await enqueue_job(client, alice.headers)

    response = await client.patch(f"/jobs/{job['id']}", json=body, headers=alice.headers)

    assert_bad_request(response, field)


async def test_patch_someone_elses_job_is_404(client: Client, alice: Account, bob: Account) -> None:
    job = await enqueue_job(client, alice.headers)

    response = await client.patch(f"/jobs/{job['id']}", json={"priority": 1}, headers=bob.headers)

    assert response.status_code == 404
