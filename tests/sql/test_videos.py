import asyncio
import uuid
from datetime import date, timedelta

import asyncpg
import pytest

from service.db import Listing, connect
from service.queries import users, videos
from service.queries.videos import Video, VideoDetails, VideoFilter
from tests.sql.conftest import PASSWORD_HASH, db_now
from tests.sql.library_fixtures import (
    add_channel,
    add_video,
    insert_aged,
    new_youtube_video_id,
)

STATUSES = ["discovered", "queued", "downloading", "processing", "completed", "failed"]
ALLOWED = {
    ("discovered", "queued"),
    ("queued", "downloading"),
    ("downloading", "processing"),
    ("processing", "completed"),
    ("discovered", "failed"),
    ("queued", "failed"),
    ("downloading", "failed"),
    ("processing", "failed"),
    ("failed", "queued"),
}
FORBIDDEN = sorted(
    (old, new) for old in STATUSES for new in STATUSES if old != new and (old, new) not in ALLOWED
)

FULL_FIELDS = VideoDetails(
    title="Never Gonna Give You Up",
    channel_name="Rick Astley",
    duration_seconds=213,
    upload_date=date(2009, 10, 25),
    description="The official video",
    tags=["music", "80s"],
    is_favorite=True,
)


async def video_in_status(db: asyncpg.Connection, user: users.User, status: str) -> Video:
    """A video inserted directly in `status` (an INSERT is not a transition)."""
    video_id = await db.fetchval(
        "INSERT INTO videos (user_id, youtube_video_id, status) VALUES ($1, $2, $3) RETURNING id",
        user.id,
        new_youtube_video_id(),
        status,
    )
    video = await videos.get_by_id(db, video_id=video_id, user_id=user.id)
    assert video is not None
    assert video.status == status
    return video


async def move(db: asyncpg.Connection, video: Video, status: str, **kwargs: object) -> Video:
    updated = await videos.update(
        db,
        video_id=video.id,
        user_id=video.user_id,
        status=status,  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )
    assert updated is not None
    return updated


# create / add


async def test_create_with_defaults(db: asyncpg.Connection, alice: users.User) -> None:
    youtube_id = new_youtube_video_id()

    video = await videos.create(db, user_id=alice.id, youtube_video_id=youtube_id)

    assert isinstance(video, Video)
    assert video.user_id == alice.id
    assert video.youtube_video_id == youtube_id
    assert video.channel_id is None
    assert video.title is None
    assert video.tags == []
    assert video.is_favorite is False
    assert video.status == "discovered"
    assert video.file_size_bytes is None
    assert video.error_message is None


async def test_create_round_trips_every_field(db: asyncpg.Connection, alice: users.User) -> None:
    channel = await add_channel(db, alice)
    fields = VideoDetails(
        channel_id=channel.id,
        title=FULL_FIELDS.title,
        channel_name=FULL_FIELDS.channel_name,
        duration_seconds=FULL_FIELDS.duration_seconds,
        upload_date=FULL_FIELDS.upload_date,
        description=FULL_FIELDS.description,
        tags=FULL_FIELDS.tags,
        is_favorite=True,
    )

    video = await videos.create(db, user_id=alice.id, youtube_video_id="dQw4w9WgXcQ", fields=fields)

    assert (
        video.channel_id,
        video.title,
        video.channel_name,
        video.duration_seconds,
        video.upload_date,
        video.description,
        video.tags,
        video.is_favorite,
    ) == (
        channel.id,
        "Never Gonna Give You Up",
        "Rick Astley",
        213,
        date(2009, 10, 25),
        "The official video",
        ["music", "80s"],
        True,
    )
    assert await videos.get_by_id(db, video_id=video.id, user_id=alice.id) == video


async def test_create_duplicate_is_a_unique_violation(
    db: asyncpg.Connection, alice: users.User
) -> None:
    youtube_id = new_youtube_video_id()
    await videos.create(db, user_id=alice.id, youtube_video_id=youtube_id)

    with pytest.raises(asyncpg.UniqueViolationError) as caught:
        async with db.transaction():
            await videos.create(db, user_id=alice.id, youtube_video_id=youtube_id)
    assert caught.value.constraint_name == "uq_videos_user_youtube_video_id"


async def test_same_youtube_video_for_two_users_is_fine(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    mine = await videos.create(db, user_id=alice.id, youtube_video_id="dQw4w9WgXcQ")
    theirs = await videos.create(db, user_id=bob.id, youtube_video_id="dQw4w9WgXcQ")

    assert mine.id != theirs.id


async def test_add_is_idempotent(db: asyncpg.Connection, alice: users.User) -> None:
    youtube_id = new_youtube_video_id()

    first, first_created = await videos.add(
        db, user_id=alice.id, youtube_video_id=youtube_id, fields=FULL_FIELDS
    )
    second, second_created = await videos.add(
        db, user_id=alice.id, youtube_video_id=youtube_id, fields=VideoDetails(title="other")
    )

    assert first_created is True
    assert second_created is False
    assert second.id == first.id
    assert second == first
    assert second.title == "Never Gonna Give You Up"
    assert await videos.count_by_user(db, user_id=alice.id) == 1


async def test_add_keeps_users_apart(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    mine, _ = await videos.add(db, user_id=alice.id, youtube_video_id="dQw4w9WgXcQ")

    theirs, created = await videos.add(db, user_id=bob.id, youtube_video_id="dQw4w9WgXcQ")

    assert created is True
    assert theirs.id != mine.id
    assert theirs.user_id == bob.id


@pytest.mark.parametrize(
    "youtube_id", ["dQw4w9WgXc", "dQw4w9WgXcQQ", "dQw4w9WgXc!", "dQw4w9 gXcQ", "", "dQw4w9WgXçQ"]
)
async def test_youtube_video_id_check_rejects_bad_ids(
    db: asyncpg.Connection, alice: users.User, youtube_id: str
) -> None:
    with pytest.raises(
        (asyncpg.CheckViolationError, asyncpg.StringDataRightTruncationError)
    ) as caught:
        async with db.transaction():
            await videos.create(db, user_id=alice.id, youtube_video_id=youtube_id)
    if isinstance(caught.value, asyncpg.CheckViolationError):
        assert caught.value.constraint_name == "videos_youtube_video_id_format"
    else:
        assert len(youtube_id) > 11


async def test_youtube_video_id_of_ten_chars_violates_the_check(
    db: asyncpg.Connection, alice: users.User
) -> None:
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await videos.create(db, user_id=alice.id, youtube_video_id="a" * 10)
    assert caught.value.constraint_name == "videos_youtube_video_id_format"


@pytest.mark.parametrize("youtube_id", ["dQw4w9WgXcQ", "a_b-C_d-123", "___________", "-----------"])
async def test_youtube_video_id_accepts_the_youtube_alphabet(
    db: asyncpg.Connection, alice: users.User, youtube_id: str
) -> None:
    video = await videos.create(db, user_id=alice.id, youtube_video_id=youtube_id)

    assert video.youtube_video_id == youtube_id


async def test_negative_duration_and_size_are_rejected(
    db: asyncpg.Connection, alice: users.User
) -> None:
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await add_video(db, alice, duration_seconds=-1)
    assert caught.value.constraint_name == "videos_duration_not_negative"
    video = await add_video(db, alice)
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await videos.update(db, video_id=video.id, user_id=alice.id, file_size_bytes=-5)
    assert caught.value.constraint_name == "videos_file_size_not_negative"


async def test_video_cannot_use_another_users_channel(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    bobs_channel = await add_channel(db, bob)

    with pytest.raises(asyncpg.ForeignKeyViolationError) as caught:
        async with db.transaction():
            await add_video(db, alice, channel_id=bobs_channel.id)
    assert caught.value.constraint_name == "videos_channel_fkey"

    video = await add_video(db, alice)
    with pytest.raises(asyncpg.ForeignKeyViolationError) as caught:
        async with db.transaction():
            await videos.update(
                db,
                video_id=video.id,
                user_id=alice.id,
                fields=VideoDetails(channel_id=bobs_channel.id),
            )
    assert caught.value.constraint_name == "videos_channel_fkey"


async def test_video_with_unknown_channel_is_rejected(
    db: asyncpg.Connection, alice: users.User
) -> None:
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        async with db.transaction():
            await add_video(db, alice, channel_id=uuid.uuid4())


# get


async def test_get_by_id_and_youtube_id_of_another_user_are_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    video = await add_video(db, alice)

    assert await videos.get_by_id(db, video_id=video.id, user_id=alice.id) == video
    assert (
        await videos.get_by_youtube_id(
            db, user_id=alice.id, youtube_video_id=video.youtube_video_id
        )
        == video
    )
    assert await videos.get_by_id(db, video_id=video.id, user_id=bob.id) is None
    assert (
        await videos.get_by_youtube_id(db, user_id=bob.id, youtube_video_id=video.youtube_video_id)
        is None
    )
    assert await videos.get_by_id(db, video_id=uuid.uuid4(), user_id=alice.id) is None


async def test_exists(db: asyncpg.Connection, alice: users.User, bob: users.User) -> None:
    video = await add_video(db, alice)

    assert await videos.exists(db, video_id=video.id, user_id=alice.id) is True
    assert await videos.exists(db, video_id=video.id, user_id=bob.id) is False
    assert await videos.exists(db, video_id=uuid.uuid4(), user_id=alice.id) is False


# list / count


async def test_list_filters(db: asyncpg.Connection, alice: users.User) -> None:
    channel = await add_channel(db, alice)
    plain = await add_video(db, alice)
    in_channel = await add_video(db, alice, channel_id=channel.id, tags=["python", "sql"])
    favorite = await add_video(db, alice, is_favorite=True, tags=["python"])
    both = await add_video(db, alice, channel_id=channel.id, is_favorite=True, tags=["sql"])
    queued = await add_video(db, alice, channel_id=channel.id)
    await move(db, queued, "queued")

    async def ids(filters: VideoFilter) -> set[uuid.UUID]:
        listed = await videos.list_by_user(
            db, user_id=alice.id, filters=filters, limit=100, offset=0
        )
        count = await videos.count_by_user(db, user_id=alice.id, filters=filters)
        assert count == len(listed.items) == listed.total
        return {v.id for v in listed.items}

    everything = {plain.id, in_channel.id, favorite.id, both.id, queued.id}
    assert await ids(VideoFilter()) == everything
    assert await ids(VideoFilter(status="queued")) == {queued.id}
    assert await ids(VideoFilter(status="discovered")) == everything - {queued.id}
    assert await ids(VideoFilter(channel_id=channel.id)) == {in_channel.id, both.id, queued.id}
    assert await ids(VideoFilter(is_favorite=True)) == {favorite.id, both.id}
    assert await ids(VideoFilter(is_favorite=False)) == {plain.id, in_channel.id, queued.id}
    assert await ids(VideoFilter(tag="python")) == {in_channel.id, favorite.id}
    assert await ids(VideoFilter(tag="sql")) == {in_channel.id, both.id}
    assert await ids(VideoFilter(tag="Python")) == set()
    assert await ids(VideoFilter(channel_id=channel.id, is_favorite=True)) == {both.id}
    assert await ids(VideoFilter(channel_id=channel.id, tag="sql", is_favorite=False)) == {
        in_channel.id
    }
    assert await ids(VideoFilter(channel_id=channel.id, status="queued")) == {queued.id}
    assert await ids(VideoFilter(status="completed")) == set()


async def test_list_and_count_of_another_user_are_empty(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    channel = await add_channel(db, alice)
    await add_video(db, alice, channel_id=channel.id, tags=["x"])

    assert await videos.list_by_user(db, user_id=bob.id, limit=10, offset=0) == Listing([], 0)
    assert await videos.list_by_user(
        db, user_id=bob.id, filters=VideoFilter(channel_id=channel.id), limit=10, offset=0
    ) == Listing([], 0)
    assert await videos.count_by_user(db, user_id=bob.id) == 0
    assert await videos.count_by_user(db, user_id=bob.id, filters=VideoFilter(tag="x")) == 0


async def test_list_is_newest_first(db: asyncpg.Connection, alice: users.User) -> None:
    made = [await add_video(db, alice, title=f"v{i}") for i in range(3)]
    for age, video in enumerate(made):
        await db.execute(
            "UPDATE videos SET created_at = now() - make_interval(mins => $2) WHERE id = $1",
            video.id,
            age,
        )

    listed = await videos.list_by_user(db, user_id=alice.id, limit=10, offset=0)

    assert [v.title for v in listed.items] == ["v0", "v1", "v2"]
    assert (listed.total, listed.exact) == (3, True)


async def test_list_pages_never_overlap_and_cover_everything(
    db: asyncpg.Connection, alice: users.User
) -> None:
    # All created in one transaction: created_at ties everywhere, id breaks them.
    made = {(await add_video(db, alice)).id for _ in range(23)}

    listings = [
        await videos.list_by_user(db, user_id=alice.id, limit=5, offset=offset)
        for offset in range(0, 30, 5)
    ]
    pages = [[v.id for v in listed.items] for listed in listings]

    seen = [video_id for page in pages for video_id in page]
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3, 0]
    assert len(seen) == len(set(seen))
    assert set(seen) == made
    # newest first: among equal created_at, the greater id first
    assert seen == sorted(made, reverse=True)
    assert await videos.count_by_user(db, user_id=alice.id) == 23
    assert {listed.total for listed in listings} == {23}

    by_cursor: list[list[uuid.UUID]] = []
    after = None
    for _ in range(6):
        listed = await videos.list_by_user(db, user_id=alice.id, after=after, limit=5)
        by_cursor.append([v.id for v in listed.items])
        if listed.items:
            after = (listed.items[-1].created_at, listed.items[-1].id)
    assert by_cursor == pages


async def test_filtered_pages_never_overlap(db: asyncpg.Connection, alice: users.User) -> None:
    tagged = {(await add_video(db, alice, tags=["keep"])).id for _ in range(11)}
    for _ in range(5):
        await add_video(db, alice, tags=["other"])

    listings = [
        await videos.list_by_user(
            db, user_id=alice.id, filters=VideoFilter(tag="keep"), limit=4, offset=offset
        )
        for offset in range(0, 12, 4)
    ]
    seen = [v.id for listed in listings for v in listed.items]

    assert len(seen) == len(set(seen)) == 11
    assert set(seen) == tagged
    assert {listed.total for listed in listings} == {11}

    by_cursor: list[uuid.UUID] = []
    after = None
    while True:
        listed = await videos.list_by_user(
            db, user_id=alice.id, filters=VideoFilter(tag="keep"), after=after, limit=4
        )
        if not listed.items:
            break
        by_cursor += [v.id for v in listed.items]
        after = (listed.items[-1].created_at, listed.items[-1].id)
    assert by_cursor == seen


async def test_tag_filter_can_use_the_gin_index(db: asyncpg.Connection, alice: users.User) -> None:
    await add_video(db, alice, tags=["gin"])
    # A handful of rows: forbid the sequential scan to see that the index qualifies.
    await db.execute("SET LOCAL enable_seqscan = off")

    plan = await db.fetch("EXPLAIN SELECT id FROM videos WHERE tags @> ARRAY[$1::text]", "gin")

    assert "idx_videos_tags" in "\n".join(r[0] for r in plan)


# update / favourite


async def test_set_favorite(db: asyncpg.Connection, alice: users.User, bob: users.User) -> None:
    video = await add_video(db, alice, title="keep my title")

    on = await videos.set_favorite(db, video_id=video.id, user_id=alice.id, is_favorite=True)
    assert on is not None
    assert on.is_favorite is True
    assert on.title == "keep my title"
    off = await videos.set_favorite(db, video_id=video.id, user_id=alice.id, is_favorite=False)
    assert off is not None
    assert off.is_favorite is False
    assert (
        await videos.set_favorite(db, video_id=video.id, user_id=bob.id, is_favorite=True) is None
    )
    stored = await videos.get_by_id(db, video_id=video.id, user_id=alice.id)
    assert stored is not None
    assert stored.is_favorite is False


async def test_update_changes_only_given_fields(db: asyncpg.Connection, alice: users.User) -> None:
    channel = await add_channel(db, alice)
    video = await videos.create(
        db, user_id=alice.id, youtube_video_id=new_youtube_video_id(), fields=FULL_FIELDS
    )

    updated = await videos.update(
        db,
        video_id=video.id,
        user_id=alice.id,
        fields=VideoDetails(channel_id=channel.id, title="New title", tags=["new"]),
    )

    assert updated is not None
    assert updated.channel_id == channel.id
    assert updated.title == "New title"
    assert updated.tags == ["new"]
    # moving to another channel without naming it takes that channel's name
    assert updated.channel_name == channel.name == "A channel"
    assert updated.duration_seconds == 213
    assert updated.upload_date == date(2009, 10, 25)
    assert updated.description == "The official video"
    assert updated.is_favorite is True
    assert updated.status == "discovered"
    assert updated.youtube_video_id == video.youtube_video_id


async def test_update_every_descriptive_field(db: asyncpg.Connection, alice: users.User) -> None:
    video = await add_video(db, alice)

    updated = await videos.update(db, video_id=video.id, user_id=alice.id, fields=FULL_FIELDS)

    assert updated is not None
    assert (
        updated.title,
        updated.channel_name,
        updated.duration_seconds,
        updated.upload_date,
        updated.description,
        updated.tags,
        updated.is_favorite,
    ) == (
        FULL_FIELDS.title,
        FULL_FIELDS.channel_name,
        FULL_FIELDS.duration_seconds,
        FULL_FIELDS.upload_date,
        FULL_FIELDS.description,
        FULL_FIELDS.tags,
        True,
    )


async def test_update_bumps_updated_at(db: asyncpg.Connection, alice: users.User) -> None:
    video_id = await insert_aged(
        db, "videos", user_id=alice.id, youtube_video_id=new_youtube_video_id()
    )

    updated = await videos.update(
        db, video_id=video_id, user_id=alice.id, fields=VideoDetails(title="t")
    )

    now = await db_now(db)
    assert updated is not None
    assert updated.updated_at == now
    assert updated.created_at == now - timedelta(days=1)


async def test_update_of_another_users_video_is_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    video = await add_video(db, alice, title="mine")

    result = await videos.update(
        db, video_id=video.id, user_id=bob.id, fields=VideoDetails(title="stolen"), status="queued"
    )

    assert result is None
    assert await videos.get_by_id(db, video_id=video.id, user_id=alice.id) == video


async def test_file_size_is_recorded(db: asyncpg.Connection, alice: users.User) -> None:
    video = await add_video(db, alice)
    video = await move(db, video, "queued")
    video = await move(db, video, "downloading")

    downloaded = await move(db, video, "processing", file_size_bytes=5_000_000_000)

    assert downloaded.file_size_bytes == 5_000_000_000
    stored = await videos.get_by_id(db, video_id=video.id, user_id=alice.id)
    assert stored is not None
    assert stored.file_size_bytes == 5_000_000_000


# status lifecycle


async def test_the_whole_happy_path(db: asyncpg.Connection, alice: users.User) -> None:
    video = await add_video(db, alice)

    for status in ["queued", "downloading", "processing", "completed"]:
        video = await move(db, video, status)
        assert video.status == status

    assert video.error_message is None


@pytest.mark.parametrize(("old", "new"), sorted(ALLOWED))
async def test_allowed_transition(
    db: asyncpg.Connection, alice: users.User, old: str, new: str
) -> None:
    video = await video_in_status(db, alice, old)

    moved = await move(db, video, new)

    assert moved.status == new


@pytest.mark.parametrize("status", STATUSES)
async def test_staying_in_a_status_is_allowed(
    db: asyncpg.Connection, alice: users.User, status: str
) -> None:
    video = await video_in_status(db, alice, status)

    moved = await move(db, video, status, fields=VideoDetails(title="edited"))

    assert (moved.status, moved.title) == (status, "edited")


@pytest.mark.parametrize(("old", "new"), FORBIDDEN)
async def test_forbidden_transition_raises(
    db: asyncpg.Connection, alice: users.User, old: str, new: str
) -> None:
    video = await video_in_status(db, alice, old)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await move(db, video, new)

    assert caught.value.constraint_name == "videos_status_transition"
    stored = await videos.get_by_id(db, video_id=video.id, user_id=alice.id)
    assert stored is not None
    assert stored.status == old


async def test_forbidden_list_has_the_expected_examples() -> None:
    assert {
        ("discovered", "completed"),
        ("completed", "queued"),
        ("completed", "failed"),
        ("discovered", "downloading"),
        ("failed", "completed"),
    } <= set(FORBIDDEN)
    assert len(FORBIDDEN) == 30 - len(ALLOWED)


async def test_raw_update_is_checked_too(db: asyncpg.Connection, alice: users.User) -> None:
    video = await add_video(db, alice)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await db.execute("UPDATE videos SET status = 'completed' WHERE id = $1", video.id)
    assert caught.value.constraint_name == "videos_status_transition"


async def test_unknown_status_violates_the_check(db: asyncpg.Connection, alice: users.User) -> None:
    video = await add_video(db, alice)

    with pytest.raises(asyncpg.CheckViolationError):
        async with db.transaction():
            await move(db, video, "pending")


async def test_error_message_is_kept_only_while_failed(
    db: asyncpg.Connection, alice: users.User
) -> None:
    video = await move(db, await add_video(db, alice), "queued")

    failed = await move(db, video, "failed", error_message="HTTP 429 from YouTube")
    assert failed.error_message == "HTTP 429 from YouTube"

    edited = await videos.update(
        db, video_id=video.id, user_id=alice.id, fields=VideoDetails(title="still failed")
    )
    assert edited is not None
    assert (edited.status, edited.error_message) == ("failed", "HTTP 429 from YouTube")

    retried = await move(db, failed, "queued")
    assert retried.error_message is None
    stored = await videos.get_by_id(db, video_id=video.id, user_id=alice.id)
    assert stored is not None
    assert stored.error_message is None


async def test_error_message_is_ignored_unless_failed(
    db: asyncpg.Connection, alice: users.User
) -> None:
    video = await add_video(db, alice)

    queued = await move(db, video, "queued", error_message="not an error")

    assert queued.error_message is None


async def test_a_new_failure_replaces_the_message(
    db: asyncpg.Connection, alice: users.User
) -> None:
    video = await move(db, await add_video(db, alice), "failed", error_message="first")
    video = await move(db, video, "queued")
    video = await move(db, video, "downloading")

    again = await move(db, video, "failed", error_message="second")

    assert again.error_message == "second"


# delete


async def test_delete(db: asyncpg.Connection, alice: users.User, bob: users.User) -> None:
    video = await add_video(db, alice)
    other = await add_video(db, alice)

    assert await videos.delete(db, video_id=video.id, user_id=bob.id) is False
    assert await videos.delete(db, video_id=video.id, user_id=alice.id) is True
    assert await videos.delete(db, video_id=video.id, user_id=alice.id) is False
    assert await videos.get_by_id(db, video_id=video.id, user_id=alice.id) is None
    assert await videos.exists(db, video_id=other.id, user_id=alice.id) is True


async def test_racing_adds_of_one_video_make_one_row(committing_database_url: str) -> None:
    """videos.add under a race: the loser's INSERT waits, does nothing, and its
    statement snapshot misses the winner's row, so add must read again."""
    first_conn = await connect(committing_database_url)
    second_conn = await connect(committing_database_url)
    try:
        name = f"race_{uuid.uuid4().hex[:10]}"
        owner = await users.create(
            first_conn, username=name, email=f"{name}@example.com", password_hash=PASSWORD_HASH
        )
        youtube_id = new_youtube_video_id()
        transaction = first_conn.transaction()
        await transaction.start()
        first, first_created = await videos.add(
            first_conn, user_id=owner.id, youtube_video_id=youtube_id
        )

        racing = asyncio.ensure_future(
            videos.add(second_conn, user_id=owner.id, youtube_video_id=youtube_id)
        )
        await asyncio.sleep(0.3)
        blocked = not racing.done()
        await transaction.commit()
        second, second_created = await racing

        assert blocked, "the second add should wait for the first transaction"
        assert (first_created, second_created) == (True, False)
        assert second.id == first.id
    finally:
        await first_conn.close()
        await second_conn.close()


# videos_channel_name: a video takes its channel's name unless given one


async def test_create_with_a_channel_takes_its_name_unless_given(
    db: asyncpg.Connection, alice: users.User
) -> None:
    channel = await add_channel(db, alice, name="The Show")

    plain = await videos.create(
        db,
        user_id=alice.id,
        youtube_video_id=new_youtube_video_id(),
        fields=VideoDetails(channel_id=channel.id),
    )
    named = await videos.create(
        db,
        user_id=alice.id,
        youtube_video_id=new_youtube_video_id(),
        fields=VideoDetails(channel_id=channel.id, channel_name="Given"),
    )
    alone = await videos.create(
        db, user_id=alice.id, youtube_video_id=new_youtube_video_id(), fields=VideoDetails()
    )

    assert (plain.channel_name, named.channel_name, alone.channel_name) == (
        "The Show",
        "Given",
        None,
    )


async def test_clearing_the_name_of_a_video_that_keeps_its_channel_is_allowed(
    db: asyncpg.Connection, alice: users.User
) -> None:
    channel = await add_channel(db, alice, name="The Show")
    video = await videos.create(
        db,
        user_id=alice.id,
        youtube_video_id=new_youtube_video_id(),
        fields=VideoDetails(channel_id=channel.id),
    )

    cleared = await videos.update(
        db, video_id=video.id, user_id=alice.id, fields=VideoDetails(), cleared=["channel_name"]
    )

    assert cleared is not None
    assert (cleared.channel_id, cleared.channel_name) == (channel.id, None)
