"""/channels: follow, list with video counts, get, edit, pause/resume, delete."""

from datetime import datetime
from typing import Any

import asyncpg
import pytest

from tests.api.conftest import Account
from tests.api.helpers import (
    Client,
    assert_bad_request,
    create_channel,
    create_video,
    new_youtube_channel_id,
    random_id,
    total,
)

CHANNEL_FIELDS = {
    "id",
    "user_id",
    "youtube_channel_id",
    "name",
    "description",
    "status",
    "metadata",
    "processing_config",
    "created_at",
    "updated_at",
    "video_count",
}


# --- create -----------------------------------------------------------------------------


async def test_post_answers_201_with_the_channel(client: Client, alice: Account) -> None:
    youtube_channel_id = new_youtube_channel_id()

    response = await client.post(
        "/channels",
        json={
            "youtube_channel_id": youtube_channel_id,
            "name": "Lex Fridman",
            "description": "Conversations",
            "metadata": {"subscribers": 4_000_000, "tags": ["ai"]},
            "processing_config": {"language": "en", "auto_download": True},
        },
        headers=alice.headers,
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == CHANNEL_FIELDS
    assert body["youtube_channel_id"] == youtube_channel_id
    assert body["name"] == "Lex Fridman"
    assert body["description"] == "Conversations"
    assert body["status"] == "active"
    assert body["metadata"] == {"subscribers": 4_000_000, "tags": ["ai"]}
    assert body["processing_config"] == {"language": "en", "auto_download": True}
    assert body["user_id"] == alice.user["id"]
    assert body["video_count"] == 0
    datetime.fromisoformat(body["created_at"])


async def test_post_with_defaults(client: Client, alice: Account) -> None:
    body = await create_channel(client, alice.headers)

    assert body["description"] is None
    assert body["metadata"] == {}
    assert body["processing_config"] == {}
    assert body["status"] == "active"


async def test_post_may_start_paused(client: Client, alice: Account) -> None:
    body = await create_channel(client, alice.headers, status="paused")

    assert body["status"] == "paused"


async def test_post_duplicate_youtube_channel_id_is_409(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    first = await create_channel(client, alice.headers)

    response = await client.post(
        "/channels",
        json={"youtube_channel_id": first["youtube_channel_id"], "name": "again"},
        headers=alice.headers,
    )

    assert response.status_code == 409, response.text
    assert "youtube_channel_id" in response.json()["detail"]
    assert await session_conn.fetchval("SELECT count(*) FROM channels") == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"name": "x"}, "youtube_channel_id", id="missing-youtube-id"),
        pytest.param(
            {"youtube_channel_id": "UC" + "a" * 21, "name": "x"},
            "youtube_channel_id",
            id="23-chars",
        ),
        pytest.param(
            {"youtube_channel_id": "UC" + "a" * 23, "name": "x"},
            "youtube_channel_id",
            id="25-chars",
        ),
        pytest.param(
            {"youtube_channel_id": "UC" + "a" * 21 + "!", "name": "x"},
            "youtube_channel_id",
            id="bad-character",
        ),
        pytest.param({"youtube_channel_id": "UC" + "a" * 22}, "name", id="missing-name"),
        pytest.param({"youtube_channel_id": "UC" + "a" * 22, "name": ""}, "name", id="empty"),
        pytest.param({"youtube_channel_id": "UC" + "a" * 22, "name": "   "}, "name", id="blank"),
        pytest.param(
            {"youtube_channel_id": "UC" + "a" * 22, "name": "x" * 256}, "name", id="long-name"
        ),
        pytest.param(
            {"youtube_channel_id": "UC" + "a" * 22, "name": "x", "status": "deleted"},
            "status",
            id="bad-status",
        ),
        pytest.param(
            {"youtube_channel_id": "UC" + "a" * 22, "name": "x", "metadata": [1]},
            "metadata",
            id="metadata-list",
        ),
        pytest.param(
            {"youtube_channel_id": "UC" + "a" * 22, "name": "x", "processing_config": "on"},
            "processing_config",
            id="config-string",
        ),
        pytest.param(
            {"youtube_channel_id": "UC" + "a" * 22, "name": "x", "subscribers": 3},
            "subscribers",
            id="unknown-field",
        ),
    ],
)
async def test_post_rejects_bad_input_with_400_and_writes_nothing(
    client: Client,
    alice: Account,
    session_conn: asyncpg.Connection,
    body: dict[str, Any],
    field: str,
) -> None:
    response = await client.post("/channels", json=body, headers=alice.headers)

    assert_bad_request(response, field)
    assert await session_conn.fetchval("SELECT count(*) FROM channels") == 0


# --- list -------------------------------------------------------------------------------


async def test_list_is_newest_first_with_video_counts(client: Client, alice: Account) -> None:
    quiet = await create_channel(client, alice.headers, name="quiet")
    busy = await create_channel(client, alice.headers, name="busy")
    for _ in range(3):
        await create_video(client, alice.headers, channel_id=busy["id"])
    await create_video(client, alice.headers)  # no channel

    response = await client.get("/channels", headers=alice.headers)

    assert response.status_code == 200
    assert [(c["name"], c["video_count"]) for c in response.json()] == [("busy", 3), ("quiet", 0)]
    assert response.json()[1]["id"] == quiet["id"]
    assert total(response) == 2


async def test_video_count_follows_deleted_videos(client: Client, alice: Account) -> None:
    channel = await create_channel(client, alice.headers)
    video = await create_video(client, alice.headers, channel_id=channel["id"])
    await create_video(client, alice.headers, channel_id=channel["id"])

    await client.delete(f"/videos/{video['id']}", headers=alice.headers)

    listing = await client.get("/channels", headers=alice.headers)
    one = await client.get(f"/channels/{channel['id']}", headers=alice.headers)
    assert listing.json()[0]["video_count"] == 1
    assert one.json()["video_count"] == 1


async def test_list_filters_by_status(client: Client, alice: Account) -> None:
    await create_channel(client, alice.headers, name="on")
    await create_channel(client, alice.headers, name="off", status="paused")
    await create_channel(client, alice.headers, name="gone", status="inactive")

    paused = await client.get("/channels?status=paused", headers=alice.headers)
    active = await client.get("/channels?status=active", headers=alice.headers)

    assert [c["name"] for c in paused.json()] == ["off"]
    assert total(paused) == 1
    assert [c["name"] for c in active.json()] == ["on"]
    assert total(active) == 1


async def test_list_pages_with_limit_and_offset(client: Client, alice: Account) -> None:
    for i in range(5):
        await create_channel(client, alice.headers, name=f"c{i}")

    first = await client.get("/channels?limit=2", headers=alice.headers)
    rest = await client.get("/channels?limit=10&offset=2", headers=alice.headers)

    assert [c["name"] for c in first.json()] == ["c4", "c3"]
    assert [c["name"] for c in rest.json()] == ["c2", "c1", "c0"]
    assert total(first) == total(rest) == 5


@pytest.mark.parametrize(
    ("query", "param"),
    [("status=deleted", "status"), ("limit=0", "limit"), ("limit=501", "limit")],
)
async def test_list_rejects_bad_query_with_400(
    client: Client, alice: Account, query: str, param: str
) -> None:
    response = await client.get(f"/channels?{query}", headers=alice.headers)

    assert_bad_request(response, param)


# --- one channel ------------------------------------------------------------------------


async def test_get_one_channel_with_its_video_count(client: Client, alice: Account) -> None:
    channel = await create_channel(client, alice.headers)
    await create_video(client, alice.headers, channel_id=channel["id"])

    response = await client.get(f"/channels/{channel['id']}", headers=alice.headers)

    assert response.status_code == 200
    assert response.json() == {**channel, "video_count": 1}


async def test_patch_edits_the_given_fields_only(client: Client, alice: Account) -> None:
    channel = await create_channel(
        client, alice.headers, name="old", description="d", metadata={"a": 1}
    )

    response = await client.patch(
        f"/channels/{channel['id']}",
        json={"name": "new", "processing_config": {"quality": "720p"}},
        headers=alice.headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "new"
    assert body["processing_config"] == {"quality": "720p"}
    assert body["description"] == "d"
    assert body["metadata"] == {"a": 1}
    assert body["youtube_channel_id"] == channel["youtube_channel_id"]
    assert datetime.fromisoformat(body["updated_at"]) > datetime.fromisoformat(
        channel["updated_at"]
    )


async def test_patch_status_to_inactive(client: Client, alice: Account) -> None:
    channel = await create_channel(client, alice.headers)

    response = await client.patch(
        f"/channels/{channel['id']}", json={"status": "inactive"}, headers=alice.headers
    )

    assert response.json()["status"] == "inactive"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "deleted"}, "status"),
        ({"name": ""}, "name"),
        ({"metadata": "x"}, "metadata"),
        ({"youtube_channel_id": "UC" + "b" * 22}, "youtube_channel_id"),
    ],
)
async def test_patch_rejects_bad_input_with_400(
    client: Client, alice: Account, body: dict[str, Any], field: str
) -> None:
    channel = await create_channel(client, alice.headers, name="kept")

    response = await client.patch(f"/channels/{channel['id']}", json=body, headers=alice.headers)

    assert_bad_request(response, field)
    still = await client.get(f"/channels/{channel['id']}", headers=alice.headers)
    assert still.json() == channel


async def test_pause_and_resume(client: Client, alice: Account) -> None:
    channel = await create_channel(client, alice.headers)

    paused = await client.post(f"/channels/{channel['id']}/pause", headers=alice.headers)
    paused_again = await client.post(f"/channels/{channel['id']}/pause", headers=alice.headers)
    listed = await client.get("/channels?status=paused", headers=alice.headers)
    resumed = await client.post(f"/channels/{channel['id']}/resume", headers=alice.headers)

    assert paused.status_code == 200, paused.text
    assert paused.json()["status"] == "paused"
    assert paused_again.status_code == 200
    assert paused_again.json()["status"] == "paused"
    assert [c["id"] for c in listed.json()] == [channel["id"]]
    assert resumed.status_code == 200
    assert resumed.json()["status"] == "active"
    fetched = await client.get(f"/channels/{channel['id']}", headers=alice.headers)
    assert fetched.json()["status"] == "active"


async def test_pause_keeps_the_other_fields(client: Client, alice: Account) -> None:
    channel = await create_channel(client, alice.headers, name="n", metadata={"k": "v"})
    await create_video(client, alice.headers, channel_id=channel["id"])

    paused = await client.post(f"/channels/{channel['id']}/pause", headers=alice.headers)

    body = paused.json()
    assert (body["name"], body["metadata"], body["video_count"]) == ("n", {"k": "v"}, 1)


async def test_delete_removes_the_channel_and_its_videos(
    client: Client, alice: Account, session_conn: asyncpg.Connection
) -> None:
    channel = await create_channel(client, alice.headers)
    video = await create_video(client, alice.headers, channel_id=channel["id"])
    loose = await create_video(client, alice.headers)

    response = await client.delete(f"/channels/{channel['id']}", headers=alice.headers)

    assert response.status_code == 204
    assert (
        await client.get(f"/channels/{channel['id']}", headers=alice.headers)
    ).status_code == 404
    assert (await client.get(f"/videos/{video['id']}", headers=alice.headers)).status_code == 404
    assert (await client.get(f"/videos/{loose['id']}", headers=alice.headers)).status_code == 200
    again = await client.delete(f"/channels/{channel['id']}", headers=alice.headers)
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"name": "x"}),
        ("DELETE", "", None),
        ("POST", "/pause", None),
        ("POST", "/resume", None),
    ],
)
async def test_a_missing_channel_is_404_naming_it(
    client: Client, alice: Account, method: str, suffix: str, body: Any
) -> None:
    missing = random_id()

    response = await client.request(
        method, f"/channels/{missing}{suffix}", json=body, headers=alice.headers
    )

    assert response.status_code == 404, response.text
    assert missing in response.json()["detail"]


async def test_a_malformed_channel_id_is_404_not_500(client: Client, alice: Account) -> None:
    response = await client.get("/channels/not-a-uuid", headers=alice.headers)

    assert response.status_code == 404
