"""The tenancy rule on the library and queue routes: another user's ids answer exactly
like random ones, lists and search never show another user's rows, and YouTube ids,
channel ids and idempotency keys are per user, so reusing one leaks nothing."""

import json
from typing import Any

import asyncpg
import pytest
from httpx import Response

from tests.api.conftest import Account
from tests.api.helpers import (
    Client,
    Headers,
    assert_same_not_found,
    claim_job,
    create_channel,
    create_processing_session,
    create_video,
    enqueue_job,
    ingest,
    list_chunks,
    new_youtube_video_id,
    random_id,
    total,
)


@pytest.fixture
async def bobs(client: Client, bob: Account) -> dict[str, Any]:
    """One of everything, all bob's; the job is queued in the session."""
    channel = await create_channel(client, bob.headers, name="bob's channel")
    transcript = await ingest(
        client,
        bob.headers,
        "x",
        channel_id=channel["id"],
        title="bob's video",
        chunks=[
            {"chunk_index": 0, "chunk_text": "bobsecret shared words", "metadata": {"who": "bob"}},
            {"chunk_index": 1, "chunk_text": "more shared words"},
        ],
    )
    video = (await client.get(f"/videos/{transcript['video_id']}", headers=bob.headers)).json()
    session = await create_processing_session(client, bob.headers, name="bob's run")
    job = await enqueue_job(
        client, bob.headers, session_id=session["id"], idempotency_key="bobs-key"
    )
    return {
        "channel": channel,
        "video": video,
        "transcript": transcript,
        "session": session,
        "job": job,
    }


async def snapshot(client: Client, headers: Headers, rows: dict[str, Any]) -> dict[str, Any]:
    """Everything bob can read about his rows, to compare before and after."""
    urls = {
        "channel": f"/channels/{rows['channel']['id']}",
        "video": f"/videos/{rows['video']['id']}",
        "transcript": f"/transcripts/{rows['transcript']['id']}",
        "chunks": f"/transcripts/{rows['transcript']['id']}/chunks",
        "session": f"/processing-sessions/{rows['session']['id']}",
        "job": f"/jobs/{rows['job']['id']}",
    }
    result = {}
    for name, url in urls.items():
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, (name, response.text)
        result[name] = response.json()
    return result


# (method, url with one {id}, which of bob's rows the id names, body)
FOREIGN_ID_CALLS = [
    ("GET", "/channels/{id}", "channel", None),
    ("PATCH", "/channels/{id}", "channel", {"name": "alice's now"}),
    ("DELETE", "/channels/{id}", "channel", None),
    ("POST", "/channels/{id}/pause", "channel", None),
    ("POST", "/channels/{id}/resume", "channel", None),
    ("GET", "/videos/{id}", "video", None),
    ("PATCH", "/videos/{id}", "video", {"title": "stolen"}),
    ("PATCH", "/videos/{id}", "video", {"status": "queued"}),
    ("PATCH", "/videos/{id}", "video", {"status": "completed"}),
    ("DELETE", "/videos/{id}", "video", None),
    ("POST", "/videos/{id}/favorite", "video", None),
    ("DELETE", "/videos/{id}/favorite", "video", None),
    ("GET", "/transcripts/{id}", "transcript", None),
    ("GET", "/transcripts/{id}/chunks", "transcript", None),
    ("DELETE", "/transcripts/{id}", "transcript", None),
    ("GET", "/processing-sessions/{id}", "session", None),
    ("PATCH", "/processing-sessions/{id}", "session", {"status": "cancelled"}),
    ("DELETE", "/processing-sessions/{id}", "session", None),
    ("GET", "/jobs/{id}", "job", None),
    ("DELETE", "/jobs/{id}", "job", None),
    ("POST", "/jobs/{id}/complete", "job", {"result": "stolen"}),
    ("POST", "/jobs/{id}/fail", "job", {"error_message": "sabotage", "retry": False}),
    ("POST", "/jobs/{id}/cancel", "job", None),
]


@pytest.mark.parametrize(
    ("method", "url", "row", "body"),
    [pytest.param(*call, id=f"{call[0]} {call[1]}") for call in FOREIGN_ID_CALLS],
)
async def test_bobs_ids_answer_404_for_alice_like_random_ids(
    client: Client,
    alice: Account,
    bob: Account,
    bobs: dict[str, Any],
    method: str,
    url: str,
    row: str,
    body: Any,
) -> None:
    before = await snapshot(client, bob.headers, bobs)
    foreign_id, missing_id = bobs[row]["id"], random_id()

    foreign = await client.request(
        method, url.format(id=foreign_id), json=body, headers=alice.headers
    )
    missing = await client.request(
        method, url.format(id=missing_id), json=body, headers=alice.headers
    )

    assert_same_not_found(foreign, foreign_id, missing, missing_id)
    assert await snapshot(client, bob.headers, bobs) == before


async def test_a_running_job_of_bob_cannot_be_finished_by_alice(
    client: Client, alice: Account, bob: Account, bobs: dict[str, Any]
) -> None:
    running = await claim_job(client, bob.headers)
    assert running["id"] == bobs["job"]["id"]

    for action, body in (
        ("complete", {"result": 1}),
        ("fail", {"error_message": "x"}),
        ("cancel", None),
    ):
        foreign = await client.post(
            f"/jobs/{running['id']}/{action}", json=body, headers=alice.headers
        )
        missing_id = random_id()
        missing = await client.post(
            f"/jobs/{missing_id}/{action}", json=body, headers=alice.headers
        )
        assert_same_not_found(foreign, running["id"], missing, missing_id)

    still = await client.get(f"/jobs/{running['id']}", headers=bob.headers)
    assert still.json()["status"] == "running"
    assert still.json()["attempts"] == 1


async def test_bobs_youtube_id_answers_404_for_alice_like_a_random_one(
    client: Client, alice: Account, bobs: dict[str, Any]
) -> None:
    foreign_id, missing_id = bobs["video"]["youtube_video_id"], new_youtube_video_id()

    foreign = await client.get(f"/videos/by-youtube-id/{foreign_id}", headers=alice.headers)
    missing = await client.get(f"/videos/by-youtube-id/{missing_id}", headers=alice.headers)

    assert_same_not_found(foreign, foreign_id, missing, missing_id)


# --- references to bob's rows from alice's writes ---------------------------------------


def assert_same_answer(foreign: Response, missing: Response) -> None:
    assert foreign.status_code == missing.status_code == 404, (foreign.text, missing.text)
    assert foreign.json() == missing.json()


async def test_alice_cannot_put_a_video_in_bobs_channel(
    client: Client,
    alice: Account,
    bob: Account,
    bobs: dict[str, Any],
    session_conn: asyncpg.Connection,
) -> None:
    own = await create_video(client, alice.headers, title="mine")
    calls = [
        ("POST", "/videos", {"youtube_video_id": new_youtube_video_id(), "channel_id": "{c}"}),
        (
            "PUT",
            f"/videos/by-youtube-id/{new_youtube_video_id()}",
            {"channel_id": "{c}"},
        ),
        ("PATCH", f"/videos/{own['id']}", {"channel_id": "{c}"}),
        (
            "POST",
            "/transcripts",
            {
                "youtube_video_id": new_youtube_video_id(),
                "transcript_text": "x",
                "channel_id": "{c}",
            },
        ),
    ]

    for method, url, template in calls:
        foreign_body = json.loads(json.dumps(template).replace("{c}", bobs["channel"]["id"]))
        missing_body = json.loads(json.dumps(template).replace("{c}", random_id()))
        foreign = await client.request(method, url, json=foreign_body, headers=alice.headers)
        missing = await client.request(method, url, json=missing_body, headers=alice.headers)
        assert_same_answer(foreign, missing)

    alices_videos = await session_conn.fetchval(
        "SELECT count(*) FROM videos WHERE user_id = $1", alice.user["id"]
    )
    assert alices_videos == 1
    assert (await client.get(f"/videos/{own['id']}", headers=alice.headers)).json() == own
    channel = await client.get(f"/channels/{bobs['channel']['id']}", headers=bob.headers)
    assert channel.json()["video_count"] == 1


async def test_alice_cannot_enqueue_into_bobs_session(
    client: Client,
    alice: Account,
    bob: Account,
    bobs: dict[str, Any],
    session_conn: asyncpg.Connection,
) -> None:
    foreign = await client.post(
        "/jobs", json={"job_type": "x", "session_id": bobs["session"]["id"]}, headers=alice.headers
    )
    missing = await client.post(
        "/jobs", json={"job_type": "x", "session_id": random_id()}, headers=alice.headers
    )

    assert_same_answer(foreign, missing)
    assert "session_id" in foreign.json()["detail"]
    session = await client.get(f"/processing-sessions/{bobs['session']['id']}", headers=bob.headers)
    assert session.json()["total_items"] == 1
    assert (
        await session_conn.fetchval(
            "SELECT count(*) FROM processing_jobs WHERE user_id = $1", alice.user["id"]
        )
        == 0
    )


# --- per-user uniqueness leaks nothing --------------------------------------------------


async def test_alice_may_add_the_youtube_ids_bob_has(
    client: Client, alice: Account, bob: Account, bobs: dict[str, Any]
) -> None:
    youtube_video_id = bobs["video"]["youtube_video_id"]

    posted_channel = await client.post(
        "/channels",
        json={"youtube_channel_id": bobs["channel"]["youtube_channel_id"], "name": "mine"},
        headers=alice.headers,
    )
    put = await client.put(f"/videos/by-youtube-id/{youtube_video_id}", headers=alice.headers)
    posted = await client.post(
        "/videos", json={"youtube_video_id": youtube_video_id}, headers=alice.headers
    )

    assert posted_channel.status_code == 201, posted_channel.text
    assert posted_channel.json()["id"] != bobs["channel"]["id"]
    assert posted_channel.json()["video_count"] == 0
    assert put.status_code == 201, put.text
    assert put.json()["id"] != bobs["video"]["id"]
    assert put.json()["user_id"] == alice.user["id"]
    assert put.json()["title"] is None
    assert posted.status_code == 409  # alice's own, just added
    bobs_video = await client.get(f"/videos/{bobs['video']['id']}", headers=bob.headers)
    assert bobs_video.json() == bobs["video"]


async def test_alices_transcript_for_bobs_youtube_id_is_her_own(
    client: Client, alice: Account, bob: Account, bobs: dict[str, Any]
) -> None:
    bobs_chunks = await list_chunks(client, bob.headers, bobs["transcript"]["id"])

    response = await client.post(
        "/transcripts",
        json={
            "youtube_video_id": bobs["video"]["youtube_video_id"],
            "transcript_text": "alice's words",
        },
        headers=alice.headers,
    )

    assert response.status_code == 201, response.text
    assert response.json()["id"] != bobs["transcript"]["id"]
    assert response.json()["video_id"] != bobs["video"]["id"]
    bobs_transcript = await client.get(
        f"/transcripts/{bobs['transcript']['id']}", headers=bob.headers
    )
    assert bobs_transcript.json() == bobs["transcript"]
    assert await list_chunks(client, bob.headers, bobs["transcript"]["id"]) == bobs_chunks


async def test_alice_may_use_bobs_idempotency_key(
    client: Client, alice: Account, bob: Account, bobs: dict[str, Any]
) -> None:
    response = await client.post(
        "/jobs", json={"job_type": "mine", "idempotency_key": "bobs-key"}, headers=alice.headers
    )

    assert response.status_code == 201, response.text
    assert response.json()["id"] != bobs["job"]["id"]
    assert response.json()["job_type"] == "mine"
    assert response.json()["user_id"] == alice.user["id"]
    again = await client.post(
        "/jobs", json={"job_type": "other", "idempotency_key": "bobs-key"}, headers=bob.headers
    )
    assert again.status_code == 200
    assert again.json()["id"] == bobs["job"]["id"]


# --- lists ------------------------------------------------------------------------------


async def test_lists_never_show_another_users_rows(
    client: Client, alice: Account, bob: Account, bobs: dict[str, Any]
) -> None:
    channel = await create_channel(client, alice.headers)
    transcript = await ingest(client, alice.headers, "alice's words", channel_id=channel["id"])
    session = await create_processing_session(client, alice.headers)
    job = await enqueue_job(client, alice.headers, session_id=session["id"])
    expected = {
        "/channels": ({channel["id"]}, {bobs["channel"]["id"]}),
        "/videos": ({transcript["video_id"]}, {bobs["video"]["id"]}),
        "/transcripts": ({transcript["id"]}, {bobs["transcript"]["id"]}),
        "/processing-sessions": ({session["id"]}, {bobs["session"]["id"]}),
        "/jobs": ({job["id"]}, {bobs["job"]["id"]}),
    }

    for url, (alices_ids, bobs_ids) in expected.items():
        for account, ids in ((alice, alices_ids), (bob, bobs_ids)):
            response = await client.get(url, headers=account.headers)
            assert response.status_code == 200, response.text
            assert {row["id"] for row in response.json()} == ids, (url, account.user["username"])
            assert {row["user_id"] for row in response.json()} == {account.user["id"]}
            assert total(response) == 1


@pytest.mark.parametrize(
    ("url", "row"),
    [
        ("/videos?channel_id={id}", "channel"),
        ("/transcripts?video_id={id}", "video"),
        ("/transcripts?youtube_video_id={youtube_video_id}", "video"),
        ("/jobs?session_id={id}", "session"),
        ("/search?q=shared&video_id={id}", "video"),
        ("/search?q=shared&channel_id={id}", "channel"),
    ],
)
async def test_filtering_by_bobs_ids_finds_nothing_for_alice(
    client: Client, alice: Account, bobs: dict[str, Any], url: str, row: str
) -> None:
    response = await client.get(url.format(**bobs[row]), headers=alice.headers)

    assert response.status_code == 200, response.text
    assert response.json() == []
    assert total(response) == 0


async def test_search_never_returns_another_users_chunks(
    client: Client, alice: Account, bob: Account, bobs: dict[str, Any]
) -> None:
    mine = await ingest(client, alice.headers, "alice has shared words too")

    secret = await client.get("/search?q=bobsecret", headers=alice.headers)
    shared = await client.get("/search?q=shared", headers=alice.headers)
    by_metadata = await client.get(
        '/search?q=shared&metadata={"who": "bob"}', headers=alice.headers
    )
    bobs_view = await client.get("/search?q=shared", headers=bob.headers)

    assert secret.json() == []
    assert total(secret) == 0
    assert [h["transcript_id"] for h in shared.json()] == [mine["id"]]
    assert total(shared) == 1
    assert by_metadata.json() == []
    assert {h["transcript_id"] for h in bobs_view.json()} == {bobs["transcript"]["id"]}
    assert total(bobs_view) == 2


# --- the queue --------------------------------------------------------------------------


async def test_bob_cannot_claim_alices_jobs(
    client: Client, alice: Account, bob: Account, session_conn: asyncpg.Connection
) -> None:
    alices = [await enqueue_job(client, alice.headers, priority=100) for _ in range(3)]
    await session_conn.execute(
        "UPDATE processing_jobs SET status = 'cancelled' WHERE user_id = $1", bob.user["id"]
    )

    one = await client.post("/jobs/claim", headers=bob.headers)
    batch = await client.post("/jobs/claim-batch", json={"limit": 100}, headers=bob.headers)
    typed = await client.post("/jobs/claim", json={"job_types": ["test_job"]}, headers=bob.headers)

    assert one.status_code == 204, one.text
    assert batch.json() == []
    assert typed.status_code == 204
    for queued in alices:
        still = await client.get(f"/jobs/{queued['id']}", headers=alice.headers)
        assert still.json()["status"] == "queued"
        assert still.json()["attempts"] == 0


async def test_each_user_claims_only_their_own_jobs(
    client: Client, alice: Account, bob: Account, bobs: dict[str, Any]
) -> None:
    alices = await enqueue_job(client, alice.headers, priority=-1000)

    bobs_claim = await claim_job(client, bob.headers)
    alices_claim = await claim_job(client, alice.headers)

    assert bobs_claim["id"] == bobs["job"]["id"]
    assert alices_claim["id"] == alices["id"]


async def test_bobs_claim_does_not_reclaim_alices_stale_job(
    client: Client, alice: Account, bob: Account, session_conn: asyncpg.Connection
) -> None:
    stale = await enqueue_job(client, alice.headers)
    await claim_job(client, alice.headers, worker="alices-worker")
    await session_conn.execute(
        "UPDATE processing_jobs SET locked_at = now() - interval '1 day' WHERE id = $1",
        stale["id"],
    )

    response = await client.post("/jobs/claim", headers=bob.headers)

    assert response.status_code == 204
    still = await client.get(f"/jobs/{stale['id']}", headers=alice.headers)
    assert still.json()["status"] == "running"
    assert still.json()["locked_by"] == "alices-worker"
