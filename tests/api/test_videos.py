"""/videos: add (and idempotent add by YouTube id), list with filters and stable pages,
edit, favorite, the status lifecycle, delete."""

import asyncio
from datetime import datetime
from typing import Any

import asyncpg
import pytest

from tests.api.conftest import Account
from tests.api.helpers import (
    Client,
    Headers,
    assert_bad_request,
    create_channel,
    create_video,
    ingest,
    new_youtube_video_id,
    random_id,
    total,
)

VIDEO_FIELDS = {
    "id",
    "user_id",
    "channel_id",
    "youtube_video_id",
    "title",
    "channel_name",
    "duration_seconds",
    "upload_date",
    "description",
    "tags",
    "is_favorite",
    "status",
    "file_size_bytes",
    "error_message",
    "created_at",
    "updated_at",
}


async def patch_video(client: Client, headers: Headers, video_id: str, **body: Any) -> Any:
    response = await client.patch(f"/videos/{video_id}", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def video_count(session_conn: asyncpg.Connection) -> int:
    count: int = await session_conn.fetchval("SELECT count(*) FROM videos")
    return count


# --- create -----------------------------------------------------------------------------


async def test_post_answers_201_with_every_field(client: Client, alice: Account) -> None:
    channel = await create_channel(client, alice.headers)
    youtube_video_id = "dQw4w9WgXcQ"

    response = await client.post(
        "/videos",
        json={
            "youtube_video_id": youtube_video_id,
            "channel_id": channel["id"],
            "title": "Never Gonna Give You Up",
            "channel_name": "Rick Astley",
            "duration_seconds": 212,
            "upload_date": "2009-10-25",
            "description": "The official video",
            "tags": ["music", "80s"],
            "is_favorite": True,
        },
        headers=alice.headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == VIDEO_FIELDS
    assert body["youtube_video_id"] == youtube_video_id
    assert body["channel_id"] == channel["id"]
    assert body["title"] == "Never Gonna Give You Up"
    assert body["channel_name"] == "Rick Astley"
    assert body["duration_seconds"] == 212
    assert body["upload_date"] == "2009-10-25"
    assert body["description"] == "The official video"
    assert body["tags"] == ["music", "80s"]
    assert body["is_favorite"] is True
    assert body["status"] == "discovered"
    assert body["file_size_bytes"] is None
    assert body["error_message"] is None
    assert body["user_id"] == alice.user["id"]
    datetime.fromisoformat(body["created_at"])


async def test_post_with_only_the_youtube_id_takes_the_defaults(
    client: Client, alice: Account
) -> None:
    body = await create_video(client, alice.headers, youtube_video_id="a-b_c-d_e-f")

    assert body["youtube_video_id"] == "a-b_c-d_e-f"
    assert body["tags"] == []
    assert body["is_favorite"] is False
    assert body["status"] == "discovered"
    assert body["channel_id"] is None
    assert body["title"] is None


async def test_post_duplicate_youtube_id_is_409(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    first = await create_video(client, alice.headers)

    response = await client.post(
        "/videos",
        json={"youtube_video_id": first["youtube_video_id"], "title": "again"},
        headers=alice.headers,
    )

    assert response.status_code == 409, response.text
    assert "youtube_video_id" in response.json()["detail"]
    assert await video_count(session_conn) == 1


async def test_post_with_a_missing_channel_is_404_and_writes_nothing(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    response = await client.post(
        "/videos",
        json={"youtube_video_id": new_youtube_video_id(), "channel_id": random_id()},
        headers=alice.headers,
    )

    assert response.status_code == 404, response.text
    assert "channel_id" in response.json()["detail"]
    assert await video_count(session_conn) == 0


VALID = "abcdefghijk"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "youtube_video_id", id="missing-youtube-id"),
        pytest.param({"youtube_video_id": "abcdefghij"}, "youtube_video_id", id="10-chars"),
        pytest.param({"youtube_video_id": "abcdefghijkl"}, "youtube_video_id", id="12-chars"),
        pytest.param({"youtube_video_id": "abcdefghij!"}, "youtube_video_id", id="bang"),
        pytest.param({"youtube_video_id": "abcde ghijk"}, "youtube_video_id", id="space"),
        pytest.param({"youtube_video_id": 12345678901}, "youtube_video_id", id="number"),
        pytest.param({"youtube_video_id": VALID, "tags": ["x" * 101]}, "tags", id="long-tag"),
        pytest.param({"youtube_video_id": VALID, "tags": [""]}, "tags", id="empty-tag"),
        pytest.param({"youtube_video_id": VALID, "tags": "music"}, "tags", id="tags-string"),
        pytest.param(
            {"youtube_video_id": VALID, "tags": [f"t{i}" for i in range(501)]},
            "tags",
            id="too-many-tags",
        ),
        pytest.param(
            {"youtube_video_id": VALID, "duration_seconds": -1}, "duration_seconds", id="neg"
        ),
        pytest.param(
            {"youtube_video_id": VALID, "upload_date": "2009-13-45"}, "upload_date", id="date"
        ),
        pytest.param(
            {"youtube_video_id": VALID, "channel_name": "x" * 256}, "channel_name", id="long"
        ),
        pytest.param(
            {"youtube_video_id": VALID, "channel_id": "nope"}, "channel_id", id="bad-uuid"
        ),
        pytest.param({"youtube_video_id": VALID, "status": "queued"}, "status", id="status"),
        pytest.param(
            {"youtube_video_id": VALID, "file_size_bytes": 3}, "file_size_bytes", id="size"
        ),
        pytest.param({"youtube_video_id": VALID, "views": 3}, "views", id="unknown-field"),
    ],
)
async def test_post_rejects_bad_input_with_400_and_writes_nothing(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    body: dict[str, Any],
    field: str,
) -> None:
    response = await client.post("/videos", json=body, headers=alice.headers)

    assert_bad_request(response, field)
    assert await video_count(session_conn) == 0


# --- idempotent add by YouTube id -------------------------------------------------------


async def test_put_by_youtube_id_creates_then_returns_the_same_video(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    youtube_video_id = new_youtube_video_id()
    url = f"/videos/by-youtube-id/{youtube_video_id}"

    created = await client.put(url, json={"title": "First", "tags": ["a"]}, headers=alice.headers)
    again = await client.put(url, headers=alice.headers)
    once_more = await client.put(url, json={}, headers=alice.headers)

    assert created.status_code == 201, created.text
    assert created.json()["youtube_video_id"] == youtube_video_id
    assert created.json()["title"] == "First"
    assert created.json()["tags"] == ["a"]
    assert again.status_code == 200, again.text
    assert again.json() == created.json()
    assert once_more.status_code == 200
    assert once_more.json()["id"] == created.json()["id"]
    assert await video_count(session_conn) == 1


async def test_concurrent_puts_of_one_youtube_id_create_one_video(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    url = f"/videos/by-youtube-id/{new_youtube_video_id()}"

    answers = await asyncio.gather(*(client.put(url, headers=alice.headers) for _ in range(6)))

    assert sorted(r.status_code for r in answers) == [200] * 5 + [201]
    assert len({r.json()["id"] for r in answers}) == 1
    assert await video_count(session_conn) == 1


async def test_put_without_a_body_creates_a_bare_video(client: Client, alice: Account) -> None:
    youtube_video_id = new_youtube_video_id()

    response = await client.put(f"/videos/by-youtube-id/{youtube_video_id}", headers=alice.headers)

    assert response.status_code == 201, response.text
    assert response.json()["status"] == "discovered"
    assert response.json()["title"] is None


async def test_put_returns_a_video_made_by_post(client: Client, alice: Account) -> None:
    video = await create_video(client, alice.headers, title="posted")

    response = await client.put(
        f"/videos/by-youtube-id/{video['youtube_video_id']}", headers=alice.headers
    )

    assert response.status_code == 200
    assert response.json() == video


@pytest.mark.parametrize(
    "youtube_video_id",
    [
        pytest.param("abcdefghij", id="10-chars"),
        pytest.param("abcdefghijkl", id="12-chars"),
        pytest.param("abcdefghij!", id="bang"),
    ],
)
@pytest.mark.parametrize("method", ["PUT", "GET"])
async def test_by_youtube_id_rejects_a_bad_id_with_400(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    youtube_video_id: str,
    method: str,
) -> None:
    response = await client.request(
        method, f"/videos/by-youtube-id/{youtube_video_id}", headers=alice.headers
    )

    assert_bad_request(response, "youtube_video_id")
    assert await video_count(session_conn) == 0


async def test_put_rejects_a_bad_body_with_400(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    response = await client.put(
        f"/videos/by-youtube-id/{new_youtube_video_id()}",
        json={"tags": ["x" * 101]},
        headers=alice.headers,
    )

    assert_bad_request(response, "tags")
    assert await video_count(session_conn) == 0


async def test_get_by_youtube_id(client: Client, alice: Account) -> None:
    video = await create_video(client, alice.headers, title="found")

    response = await client.get(
        f"/videos/by-youtube-id/{video['youtube_video_id']}", headers=alice.headers
    )
    missing = await client.get(
        f"/videos/by-youtube-id/{new_youtube_video_id()}", headers=alice.headers
    )

    assert response.status_code == 200
    assert response.json() == video
    assert missing.status_code == 404


# --- list -------------------------------------------------------------------------------


async def test_list_is_newest_first_with_the_total(client: Client, alice: Account) -> None:
    made = [await create_video(client, alice.headers, title=f"v{i}") for i in range(3)]

    response = await client.get("/videos", headers=alice.headers)

    assert response.status_code == 200
    assert [v["id"] for v in response.json()] == [v["id"] for v in reversed(made)]
    assert response.json()[0] == made[-1]
    assert total(response) == 3


async def test_pages_are_stable_no_duplicates_none_missed(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    made = [await create_video(client, alice.headers) for _ in range(10)]
    # Ties on created_at must not shuffle rows between pages.
    await session_conn.execute(
        "UPDATE videos SET created_at = '2024-01-01T00:00:00Z' WHERE id = ANY($1::uuid[])",
        [v["id"] for v in made[3:8]],
    )

    seen: list[str] = []
    totals = set()
    for offset in range(0, 12, 3):
        page = await client.get(f"/videos?limit=3&offset={offset}", headers=alice.headers)
        assert page.status_code == 200
        assert len(page.json()) == min(3, 10 - offset)
        seen += [v["id"] for v in page.json()]
        totals.add(total(page))

    assert len(seen) == len(set(seen)) == 10
    assert set(seen) == {v["id"] for v in made}
    assert totals == {10}
    again = [
        v["id"]
        for offset in range(0, 12, 3)
        for v in (
            await client.get(f"/videos?limit=3&offset={offset}", headers=alice.headers)
        ).json()
    ]
    assert again == seen


async def test_list_filters_by_status(client: Client, alice: Account) -> None:
    queued = await create_video(client, alice.headers)
    await create_video(client, alice.headers)
    await patch_video(client, alice.headers, queued["id"], status="queued")

    response = await client.get("/videos?status=queued", headers=alice.headers)
    discovered = await client.get("/videos?status=discovered", headers=alice.headers)
    completed = await client.get("/videos?status=completed", headers=alice.headers)

    assert [v["id"] for v in response.json()] == [queued["id"]]
    assert total(response) == 1
    assert total(discovered) == 1
    assert completed.json() == []
    assert total(completed) == 0


async def test_list_filters_by_channel(client: Client, alice: Account) -> None:
    channel = await create_channel(client, alice.headers)
    other = await create_channel(client, alice.headers)
    in_channel = [await create_video(client, alice.headers, channel_id=channel["id"]) for _ in "ab"]
    await create_video(client, alice.headers, channel_id=other["id"])
    await create_video(client, alice.headers)

    response = await client.get(f"/videos?channel_id={channel['id']}", headers=alice.headers)

    assert {v["id"] for v in response.json()} == {v["id"] for v in in_channel}
    assert total(response) == 2


async def test_list_filters_by_favorite(client: Client, alice: Account) -> None:
    loved = await create_video(client, alice.headers, is_favorite=True)
    plain = await create_video(client, alice.headers)

    favorites = await client.get("/videos?is_favorite=true", headers=alice.headers)
    others = await client.get("/videos?is_favorite=false", headers=alice.headers)

    assert [v["id"] for v in favorites.json()] == [loved["id"]]
    assert [v["id"] for v in others.json()] == [plain["id"]]
    assert total(favorites) == total(others) == 1


async def test_list_filters_by_tag(client: Client, alice: Account) -> None:
    both = await create_video(client, alice.headers, tags=["python", "sql"])
    python = await create_video(client, alice.headers, tags=["python"])
    await create_video(client, alice.headers, tags=["rust"])
    await create_video(client, alice.headers)

    tagged = await client.get("/videos?tag=python", headers=alice.headers)
    sql = await client.get("/videos?tag=sql", headers=alice.headers)
    prefix = await client.get("/videos?tag=pyth", headers=alice.headers)

    assert [v["id"] for v in tagged.json()] == [python["id"], both["id"]]
    assert total(tagged) == 2
    assert [v["id"] for v in sql.json()] == [both["id"]]
    assert prefix.json() == []


async def test_list_filters_combine(client: Client, alice: Account) -> None:
    channel = await create_channel(client, alice.headers)
    match = await create_video(
        client, alice.headers, channel_id=channel["id"], tags=["x"], is_favorite=True
    )
    await create_video(client, alice.headers, channel_id=channel["id"], tags=["x"])
    await create_video(client, alice.headers, tags=["x"], is_favorite=True)

    response = await client.get(
        f"/videos?channel_id={channel['id']}&tag=x&is_favorite=true&status=discovered",
        headers=alice.headers,
    )

    assert [v["id"] for v in response.json()] == [match["id"]]
    assert total(response) == 1


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("status=archived", "status"),
        ("channel_id=abc", "channel_id"),
        ("is_favorite=perhaps", "is_favorite"),
        ("tag=" + "x" * 101, "tag"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("offset=-1", "offset"),
    ],
)
async def test_list_rejects_bad_query_with_400(
    client: Client, alice: Account, query: str, param: str
) -> None:
    response = await client.get(f"/videos?{query}", headers=alice.headers)

    assert_bad_request(response, param)


# --- one video --------------------------------------------------------------------------


async def test_get_one_video(client: Client, alice: Account) -> None:
    video = await create_video(client, alice.headers, title="t")

    response = await client.get(f"/videos/{video['id']}", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == video


async def test_patch_edits_the_given_fields_only(client: Client, alice: Account) -> None:
    channel = await create_channel(client, alice.headers)
    video = await create_video(client, alice.headers, title="old", tags=["a"], description="d")

    body = await patch_video(
        client,
        alice.headers,
        video["id"],
        title="new",
        tags=["b", "c"],
        channel_id=channel["id"],
        duration_seconds=60,
        upload_date="2024-02-29",
    )

    assert body["title"] == "new"
    assert body["tags"] == ["b", "c"]
    assert body["channel_id"] == channel["id"]
    assert body["duration_seconds"] == 60
    assert body["upload_date"] == "2024-02-29"
    assert body["description"] == "d"
    assert body["youtube_video_id"] == video["youtube_video_id"]
    assert body["status"] == "discovered"
    assert datetime.fromisoformat(body["updated_at"]) > datetime.fromisoformat(video["updated_at"])


async def test_patch_to_a_missing_channel_is_404_and_changes_nothing(
    client: Client, alice: Account
) -> None:
    video = await create_video(client, alice.headers, title="kept")

    response = await client.patch(
        f"/videos/{video['id']}",
        json={"channel_id": random_id(), "title": "lost"},
        headers=alice.headers,
    )

    assert response.status_code == 404, response.text
    assert (await client.get(f"/videos/{video['id']}", headers=alice.headers)).json() == video


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "archived"}, "status"),
        ({"status": "COMPLETED"}, "status"),
        ({"file_size_bytes": -1}, "file_size_bytes"),
        # Beyond the bigint column: still bad input, and the answer must name the field.
        pytest.param({"file_size_bytes": 2**63}, "file_size_bytes", id="size-beyond-bigint"),
        ({"file_size_bytes": "big"}, "file_size_bytes"),
        ({"tags": ["x" * 101]}, "tags"),
        ({"duration_seconds": -5}, "duration_seconds"),
        ({"youtube_video_id": "abcdefghijk"}, "youtube_video_id"),
        ({"plays": 1}, "plays"),
    ],
)
async def test_patch_rejects_bad_input_with_400(
    client: Client, alice: Account, body: dict[str, Any], field: str
) -> None:
    video = await create_video(client, alice.headers)

    response = await client.patch(f"/videos/{video['id']}", json=body, headers=alice.headers)

    assert_bad_request(response, field)
    assert (await client.get(f"/videos/{video['id']}", headers=alice.headers)).json() == video


async def test_favorite_and_unfavorite(client: Client, alice: Account) -> None:
    video = await create_video(client, alice.headers)
    url = f"/videos/{video['id']}/favorite"

    marked = await client.post(url, headers=alice.headers)
    marked_again = await client.post(url, headers=alice.headers)
    favorites = await client.get("/videos?is_favorite=true", headers=alice.headers)
    unmarked = await client.delete(url, headers=alice.headers)

    assert marked.status_code == 200, marked.text
    assert marked.json()["is_favorite"] is True
    assert marked.json()["id"] == video["id"]
    assert marked_again.json()["is_favorite"] is True
    assert [v["id"] for v in favorites.json()] == [video["id"]]
    assert unmarked.status_code == 200, unmarked.text
    assert unmarked.json()["is_favorite"] is False
    fetched = await client.get(f"/videos/{video['id']}", headers=alice.headers)
    assert fetched.json()["is_favorite"] is False


async def test_delete_removes_the_video_its_transcripts_and_chunks(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    transcript = await ingest(client, alice.headers, "some words to keep")
    video_id = transcript["video_id"]

    response = await client.delete(f"/videos/{video_id}", headers=alice.headers)

    assert response.status_code == 204
    assert (await client.get(f"/videos/{video_id}", headers=alice.headers)).status_code == 404
    gone = await client.get(f"/transcripts/{transcript['id']}", headers=alice.headers)
    assert gone.status_code == 404
    assert await session_conn.fetchval("SELECT count(*) FROM chunks") == 0
    again = await client.delete(f"/videos/{video_id}", headers=alice.headers)
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"title": "x"}),
        ("PATCH", "", {"status": "queued"}),
        ("DELETE", "", None),
        ("POST", "/favorite", None),
        ("DELETE", "/favorite", None),
    ],
)
async def test_a_missing_video_is_404_naming_it(
    client: Client, alice: Account, method: str, suffix: str, body: Any
) -> None:
    missing = random_id()

    response = await client.request(
        method, f"/videos/{missing}{suffix}", json=body, headers=alice.headers
    )

    assert response.status_code == 404, response.text
    assert missing in response.json()["detail"]


# --- the status lifecycle ---------------------------------------------------------------


async def test_the_full_lifecycle_to_completed_records_the_file_size(
    client: Client, alice: Account
) -> None:
    video = await create_video(client, alice.headers)
    seen = []

    for status in ("queued", "downloading", "processing"):
        seen.append(
            (await patch_video(client, alice.headers, video["id"], status=status))["status"]
        )
    done = await patch_video(
        client, alice.headers, video["id"], status="completed", file_size_bytes=123_456_789_012
    )

    assert seen == ["queued", "downloading", "processing"]
    assert done["status"] == "completed"
    assert done["file_size_bytes"] == 123_456_789_012
    assert done["error_message"] is None
    fetched = await client.get(f"/videos/{video['id']}", headers=alice.headers)
    assert fetched.json()["status"] == "completed"
    assert fetched.json()["file_size_bytes"] == 123_456_789_012


async def test_file_size_may_be_recorded_while_downloading(client: Client, alice: Account) -> None:
    video = await create_video(client, alice.headers)
    await patch_video(client, alice.headers, video["id"], status="queued")

    body = await patch_video(
        client, alice.headers, video["id"], status="downloading", file_size_bytes=0
    )

    assert body["file_size_bytes"] == 0


@pytest.mark.parametrize(
    ("path", "target"),
    [
        pytest.param([], "completed", id="discovered-to-completed"),
        pytest.param([], "downloading", id="discovered-to-downloading"),
        pytest.param([], "processing", id="discovered-to-processing"),
        pytest.param(["queued"], "discovered", id="queued-back-to-discovered"),
        pytest.param(["queued"], "completed", id="queued-to-completed"),
        pytest.param(["queued", "downloading"], "queued", id="downloading-back-to-queued"),
        pytest.param(
            ["queued", "downloading", "processing", "completed"], "queued", id="completed-to-queued"
        ),
        pytest.param(
            ["queued", "downloading", "processing", "completed"], "failed", id="completed-to-failed"
        ),
        pytest.param(["failed"], "completed", id="failed-to-completed"),
        pytest.param(["failed"], "discovered", id="failed-to-discovered"),
    ],
)
async def test_invalid_transitions_are_409_and_change_nothing(
    client: Client, alice: Account, path: list[str], target: str
) -> None:
    video = await create_video(client, alice.headers)
    for status in path:
        await patch_video(client, alice.headers, video["id"], status=status)
    before = (await client.get(f"/videos/{video['id']}", headers=alice.headers)).json()

    response = await client.patch(
        f"/videos/{video['id']}", json={"status": target, "title": "changed"}, headers=alice.headers
    )

    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert before["status"] in detail
    assert target in detail
    after = (await client.get(f"/videos/{video['id']}", headers=alice.headers)).json()
    assert after == before


@pytest.mark.parametrize(
    "path", [[], ["queued"], ["queued", "downloading"], ["queued", "downloading", "processing"]]
)
async def test_every_unfinished_step_may_fail(
    client: Client, alice: Account, path: list[str]
) -> None:
    video = await create_video(client, alice.headers)
    for status in path:
        await patch_video(client, alice.headers, video["id"], status=status)

    body = await patch_video(
        client, alice.headers, video["id"], status="failed", error_message="HTTP 403"
    )

    assert body["status"] == "failed"
    assert body["error_message"] == "HTTP 403"


async def test_the_same_status_again_is_allowed(client: Client, alice: Account) -> None:
    video = await create_video(client, alice.headers)
    await patch_video(client, alice.headers, video["id"], status="queued")

    body = await patch_video(client, alice.headers, video["id"], status="queued")

    assert body["status"] == "queued"


async def test_failed_keeps_its_error_until_retried(client: Client, alice: Account) -> None:
    video = await create_video(client, alice.headers)
    await patch_video(client, alice.headers, video["id"], status="queued")
    await patch_video(client, alice.headers, video["id"], status="downloading")

    failed = await patch_video(
        client, alice.headers, video["id"], status="failed", error_message="network down"
    )
    edited = await patch_video(client, alice.headers, video["id"], title="still failed")
    retried = await patch_video(client, alice.headers, video["id"], status="queued")

    assert failed["status"] == "failed"
    assert failed["error_message"] == "network down"
    assert edited["status"] == "failed"
    assert edited["error_message"] == "network down"
    assert retried["status"] == "queued"
    assert retried["error_message"] is None
    for status in ("downloading", "processing", "completed"):
        final = await patch_video(client, alice.headers, video["id"], status=status)
    assert final["status"] == "completed"
    assert final["error_message"] is None


async def test_an_error_message_outside_failed_is_not_kept(client: Client, alice: Account) -> None:
    video = await create_video(client, alice.headers)

    body = await patch_video(
        client, alice.headers, video["id"], status="queued", error_message="irrelevant"
    )

    assert body["status"] == "queued"
    assert body["error_message"] is None


async def test_an_invalid_transition_via_put_cannot_happen(client: Client, alice: Account) -> None:
    # The idempotent add never touches the status of an existing video.
    video = await create_video(client, alice.headers)
    await patch_video(client, alice.headers, video["id"], status="queued")

    response = await client.put(
        f"/videos/by-youtube-id/{video['youtube_video_id']}", headers=alice.headers
    )

    assert response.status_code == 200
    assert response.json()["status"] == "queued"


# channel_name follows the channel unless given


async def test_a_video_added_to_a_channel_takes_its_name(client: Client, alice: Account) -> None:
    channel = await create_channel(client, alice.headers, name="The Show")

    plain = await create_video(client, alice.headers, channel_id=channel["id"])
    named = await create_video(
        client, alice.headers, channel_id=channel["id"], channel_name="Another name"
    )

    assert plain["channel_name"] == "The Show"
    assert named["channel_name"] == "Another name"


async def test_moving_a_video_to_another_channel_takes_the_new_name(
    client: Client, alice: Account
) -> None:
    first = await create_channel(client, alice.headers, name="First")
    second = await create_channel(client, alice.headers, name="Second")
    video = await create_video(client, alice.headers, channel_id=first["id"])

    moved = await client.patch(
        f"/videos/{video['id']}", json={"channel_id": second["id"]}, headers=alice.headers
    )
    renamed = await client.patch(
        f"/videos/{video['id']}",
        json={"channel_id": first["id"], "channel_name": "Given"},
        headers=alice.headers,
    )

    assert moved.json()["channel_name"] == "Second"
    assert renamed.json()["channel_name"] == "Given"


async def test_another_users_channel_lends_no_name(
    client: Client, alice: Account, bob: Account
) -> None:
    channel = await create_channel(client, bob.headers, name="Bob's")

    response = await client.post(
        "/videos",
        json={"youtube_video_id": new_youtube_video_id(), "channel_id": channel["id"]},
        headers=alice.headers,
    )

    assert response.status_code in (400, 404, 409), response.text
    assert "Bob's" not in response.text
