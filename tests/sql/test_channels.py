import uuid
from datetime import timedelta

import asyncpg
import pytest

from service.queries import channels, users, videos
from service.queries.channels import Channel
from tests.sql.conftest import db_now
from tests.sql.library_fixtures import (
    add_channel,
    add_video,
    insert_aged,
    new_youtube_channel_id,
)


async def test_create_returns_channel_with_defaults(
    db: asyncpg.Connection, alice: users.User
) -> None:
    youtube_id = new_youtube_channel_id()

    channel = await channels.create(
        db, user_id=alice.id, youtube_channel_id=youtube_id, name="Tech"
    )

    assert isinstance(channel, Channel)
    assert channel.user_id == alice.id
    assert channel.youtube_channel_id == youtube_id
    assert channel.name == "Tech"
    assert channel.description is None
    assert channel.status == "active"
    assert channel.metadata == {}
    assert channel.processing_config == {}
    assert channel.video_count == 0
    assert channel.created_at == channel.updated_at


async def test_create_round_trips_every_field(db: asyncpg.Connection, alice: users.User) -> None:
    channel = await add_channel(
        db,
        alice,
        name="Cooking 🍳",
        description="Recipes",
        status="paused",
        metadata={"subscribers": 1200, "country": "FR", "tags": ["food"]},
        processing_config={"auto_transcribe": True, "languages": ["en", "fr"]},
    )

    fetched = await channels.get_by_id(db, channel_id=channel.id, user_id=alice.id)
    assert fetched == channel
    assert fetched.status == "paused"
    assert fetched.description == "Recipes"
    assert fetched.metadata == {"subscribers": 1200, "country": "FR", "tags": ["food"]}
    assert fetched.processing_config == {"auto_transcribe": True, "languages": ["en", "fr"]}


async def test_same_youtube_channel_twice_for_one_user_is_a_unique_violation(
    db: asyncpg.Connection, alice: users.User
) -> None:
    youtube_id = new_youtube_channel_id()
    await add_channel(db, alice, youtube_channel_id=youtube_id)

    with pytest.raises(asyncpg.UniqueViolationError) as caught:
        async with db.transaction():
            await add_channel(db, alice, youtube_channel_id=youtube_id, name="again")
    assert caught.value.constraint_name == "uq_channels_user_youtube_channel_id"
    assert await channels.count_by_user(db, user_id=alice.id) == 1


async def test_same_youtube_channel_for_two_users_is_fine(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    youtube_id = new_youtube_channel_id()

    mine = await add_channel(db, alice, youtube_channel_id=youtube_id)
    theirs = await add_channel(db, bob, youtube_channel_id=youtube_id)

    assert mine.id != theirs.id
    assert mine.youtube_channel_id == theirs.youtube_channel_id


@pytest.mark.parametrize(
    "youtube_id",
    ["UC" + "a" * 21, "UC" + "a" * 23, "UC" + "a" * 21 + "!", "UC" + "a" * 21 + " ", ""],
)
async def test_youtube_channel_id_must_be_24_youtube_chars(
    db: asyncpg.Connection, alice: users.User, youtube_id: str
) -> None:
    with pytest.raises(
        (asyncpg.CheckViolationError, asyncpg.StringDataRightTruncationError)
    ) as caught:
        async with db.transaction():
            await add_channel(db, alice, youtube_channel_id=youtube_id)
    if isinstance(caught.value, asyncpg.CheckViolationError):
        assert caught.value.constraint_name == "channels_youtube_channel_id_format"
    else:
        assert len(youtube_id) > 24


@pytest.mark.parametrize("youtube_id", ["UC" + "a" * 22, "UC_-09AZaz" + "x" * 14])
async def test_youtube_channel_id_accepts_the_youtube_alphabet(
    db: asyncpg.Connection, alice: users.User, youtube_id: str
) -> None:
    channel = await add_channel(db, alice, youtube_channel_id=youtube_id)

    assert channel.youtube_channel_id == youtube_id


async def test_get_by_id_counts_videos(db: asyncpg.Connection, alice: users.User) -> None:
    channel = await add_channel(db, alice)
    other = await add_channel(db, alice, name="other")
    for _ in range(3):
        await add_video(db, alice, channel_id=channel.id)
    await add_video(db, alice, channel_id=other.id)
    await add_video(db, alice)

    fetched = await channels.get_by_id(db, channel_id=channel.id, user_id=alice.id)

    assert fetched is not None
    assert fetched.video_count == 3


async def test_get_by_id_of_another_user_or_unknown_is_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    channel = await add_channel(db, alice)

    assert await channels.get_by_id(db, channel_id=channel.id, user_id=bob.id) is None
    assert await channels.get_by_id(db, channel_id=uuid.uuid4(), user_id=alice.id) is None


async def test_get_by_youtube_id(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    channel = await add_channel(db, alice)
    await add_video(db, alice, channel_id=channel.id)

    found = await channels.get_by_youtube_id(
        db, user_id=alice.id, youtube_channel_id=channel.youtube_channel_id
    )

    assert found is not None
    assert found.id == channel.id
    assert found.video_count == 1
    assert (
        await channels.get_by_youtube_id(
            db, user_id=bob.id, youtube_channel_id=channel.youtube_channel_id
        )
        is None
    )


async def test_list_by_user_counts_each_channels_videos(
    db: asyncpg.Connection, alice: users.User
) -> None:
    first = await add_channel(db, alice, name="first")
    second = await add_channel(db, alice, name="second")
    empty = await add_channel(db, alice, name="empty")
    for _ in range(4):
        await add_video(db, alice, channel_id=first.id)
    await add_video(db, alice, channel_id=second.id)
    await add_video(db, alice)

    listed = await channels.list_by_user(db, user_id=alice.id, limit=10, offset=0)

    counts = {c.id: c.video_count for c in listed.items}
    assert counts == {first.id: 4, second.id: 1, empty.id: 0}
    assert (listed.total, listed.exact) == (3, True)


async def test_list_by_user_video_count_is_the_same_as_get(
    db: asyncpg.Connection, alice: users.User
) -> None:
    channel = await add_channel(db, alice)
    for _ in range(2):
        await add_video(db, alice, channel_id=channel.id)

    (listed,) = (await channels.list_by_user(db, user_id=alice.id, limit=10, offset=0)).items

    assert listed == await channels.get_by_id(db, channel_id=channel.id, user_id=alice.id)


async def test_list_by_user_newest_first_and_paginated(
    db: asyncpg.Connection, alice: users.User
) -> None:
    made = [await add_channel(db, alice, name=f"c{i}") for i in range(5)]
    # created_at is the transaction's now() for all of them: age them to order them.
    for age, channel in enumerate(made):
        await db.execute(
            "UPDATE channels SET created_at = now() - make_interval(mins => $2) WHERE id = $1",
            channel.id,
            age,
        )

    pages = [
        await channels.list_by_user(db, user_id=alice.id, limit=2, offset=offset)
        for offset in (0, 2, 4, 6)
    ]

    assert [[c.name for c in page.items] for page in pages] == [
        ["c0", "c1"],
        ["c2", "c3"],
        ["c4"],
        [],
    ]
    assert [page.total for page in pages] == [5, 5, 5, 5]


async def test_list_by_user_pages_are_stable_when_created_at_ties(
    db: asyncpg.Connection, alice: users.User
) -> None:
    made = {(await add_channel(db, alice, name=f"c{i}")).id for i in range(7)}

    seen = [
        c.id
        for offset in range(0, 8, 3)
        for c in (await channels.list_by_user(db, user_id=alice.id, limit=3, offset=offset)).items
    ]

    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == made


async def test_list_by_user_cursor_pages_break_created_at_ties_by_id_desc(
    db: asyncpg.Connection, alice: users.User
) -> None:
    made = [await add_channel(db, alice, name=f"c{i}") for i in range(7)]
    # Two created a minute earlier: they come last, after the five that tie.
    for channel in made[:2]:
        await db.execute(
            "UPDATE channels SET created_at = now() - interval '1 minute' WHERE id = $1",
            channel.id,
        )
    expected = sorted(made[2:], key=lambda c: c.id, reverse=True) + sorted(
        made[:2], key=lambda c: c.id, reverse=True
    )

    pages = []
    after = None
    while True:
        page = await channels.list_by_user(db, user_id=alice.id, after=after, limit=3)
        pages.append([c.id for c in page.items])
        assert page.total == 7
        if not page.items:
            break
        after = (page.items[-1].created_at, page.items[-1].id)

    assert pages == [
        [c.id for c in expected[0:3]],
        [c.id for c in expected[3:6]],
        [c.id for c in expected[6:]],
        [],
    ]


async def test_list_and_count_filter_by_status(db: asyncpg.Connection, alice: users.User) -> None:
    active = await add_channel(db, alice, status="active")
    paused = await add_channel(db, alice, status="paused")
    await add_video(db, alice, channel_id=paused.id)
    inactive = await add_channel(db, alice, status="inactive")

    by_status = {
        status: await channels.list_by_user(db, user_id=alice.id, status=status, limit=10, offset=0)
        for status in ("active", "paused", "inactive")
    }

    assert [c.id for c in by_status["active"].items] == [active.id]
    assert [(c.id, c.video_count) for c in by_status["paused"].items] == [(paused.id, 1)]
    assert [c.id for c in by_status["inactive"].items] == [inactive.id]
    assert [by_status[s].total for s in ("active", "paused", "inactive")] == [1, 1, 1]
    assert await channels.count_by_user(db, user_id=alice.id) == 3
    assert await channels.count_by_user(db, user_id=alice.id, status="paused") == 1


async def test_status_check_rejects_unknown(db: asyncpg.Connection, alice: users.User) -> None:
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await add_channel(db, alice, status="deleted")
    assert caught.value.constraint_name == "channels_status_check"


async def test_list_and_count_of_another_user_are_empty(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    await add_channel(db, alice)

    listed = await channels.list_by_user(db, user_id=bob.id, limit=10, offset=0)
    assert (listed.items, listed.total, listed.exact) == ([], 0, True)
    assert await channels.count_by_user(db, user_id=bob.id) == 0


async def test_exists(db: asyncpg.Connection, alice: users.User, bob: users.User) -> None:
    channel = await add_channel(db, alice)

    assert await channels.exists(db, channel_id=channel.id, user_id=alice.id) is True
    assert await channels.exists(db, channel_id=channel.id, user_id=bob.id) is False
    assert await channels.exists(db, channel_id=uuid.uuid4(), user_id=alice.id) is False


async def test_update_changes_given_fields_only(db: asyncpg.Connection, alice: users.User) -> None:
    channel = await add_channel(
        db, alice, name="old", description="desc", metadata={"a": 1}, processing_config={"x": 1}
    )
    await add_video(db, alice, channel_id=channel.id)

    updated = await channels.update(
        db, channel_id=channel.id, user_id=alice.id, name="new", status="inactive"
    )

    assert updated is not None
    assert updated.name == "new"
    assert updated.status == "inactive"
    assert updated.description == "desc"
    assert updated.metadata == {"a": 1}
    assert updated.processing_config == {"x": 1}
    assert updated.video_count == 1
    assert updated.youtube_channel_id == channel.youtube_channel_id


async def test_update_replaces_json_fields(db: asyncpg.Connection, alice: users.User) -> None:
    channel = await add_channel(db, alice, metadata={"a": 1}, processing_config={"x": 1})

    updated = await channels.update(
        db,
        channel_id=channel.id,
        user_id=alice.id,
        description="now described",
        metadata={"b": [1, 2]},
        processing_config={"y": {"z": None}},
    )

    assert updated is not None
    assert updated.description == "now described"
    assert updated.metadata == {"b": [1, 2]}
    assert updated.processing_config == {"y": {"z": None}}


async def test_update_bumps_updated_at(db: asyncpg.Connection, alice: users.User) -> None:
    channel_id = await insert_aged(
        db, "channels", user_id=alice.id, youtube_channel_id=new_youtube_channel_id(), name="old"
    )

    updated = await channels.update(db, channel_id=channel_id, user_id=alice.id, name="renamed")

    now = await db_now(db)
    assert updated is not None
    assert updated.updated_at == now
    assert updated.created_at == now - timedelta(days=1)


async def test_update_of_another_users_channel_is_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    channel = await add_channel(db, alice, name="mine")

    assert await channels.update(db, channel_id=channel.id, user_id=bob.id, name="stolen") is None
    unchanged = await channels.get_by_id(db, channel_id=channel.id, user_id=alice.id)
    assert unchanged is not None
    assert unchanged.name == "mine"


async def test_delete_cascades_to_its_videos_only(
    db: asyncpg.Connection, alice: users.User
) -> None:
    channel = await add_channel(db, alice)
    other = await add_channel(db, alice)
    doomed = [await add_video(db, alice, channel_id=channel.id) for _ in range(2)]
    kept_in_other = await add_video(db, alice, channel_id=other.id)
    kept_loose = await add_video(db, alice)

    assert await channels.delete(db, channel_id=channel.id, user_id=alice.id) is True
    assert await channels.delete(db, channel_id=channel.id, user_id=alice.id) is False

    for video in doomed:
        assert await videos.get_by_id(db, video_id=video.id, user_id=alice.id) is None
    assert await videos.count_by_user(db, user_id=alice.id) == 2
    assert await videos.exists(db, video_id=kept_in_other.id, user_id=alice.id)
    assert await videos.exists(db, video_id=kept_loose.id, user_id=alice.id)


async def test_delete_of_another_users_channel_is_false(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    channel = await add_channel(db, alice)

    assert await channels.delete(db, channel_id=channel.id, user_id=bob.id) is False
    assert await channels.exists(db, channel_id=channel.id, user_id=alice.id) is True
