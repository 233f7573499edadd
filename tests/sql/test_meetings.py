"""service/queries/meetings.py against PostgreSQL: seed 004's conversation repository
(its 8 tests first), then every other query, the computed columns as the queries see
them, search ranking and the status lifecycle."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from service.queries import meetings, participants, users
from service.queries.meetings import Meeting, MeetingFields, MeetingWithParticipants
from tests.sql.conftest import db_now

STATUSES = ["pending", "transcribing", "synthesizing", "completed", "failed"]
ALLOWED = {
    ("pending", "transcribing"),
    ("pending", "synthesizing"),
    ("transcribing", "synthesizing"),
    ("synthesizing", "completed"),
    ("pending", "failed"),
    ("transcribing", "failed"),
    ("synthesizing", "failed"),
    ("failed", "pending"),
}
FORBIDDEN = sorted(
    (old, new) for old in STATUSES for new in STATUSES if old != new and (old, new) not in ALLOWED
)

T0 = datetime(2026, 1, 23, 9, 0, tzinfo=UTC)


# helpers, imported by the other meeting test modules


async def add_meeting(
    db: asyncpg.Connection, user: users.User, title: str = "A meeting", **fields: Any
) -> Meeting:
    return await meetings.create(db, user_id=user.id, title=title, fields=MeetingFields(**fields))


async def meeting_in_status(
    db: asyncpg.Connection, user: users.User, status: str, title: str = "A meeting"
) -> Meeting:
    """A meeting inserted directly in `status` (an INSERT is not a transition)."""
    meeting_id = await db.fetchval(
        "INSERT INTO meetings (user_id, title, status) VALUES ($1, $2, $3) RETURNING id",
        user.id,
        title,
        status,
    )
    meeting = await meetings.get_by_id(db, meeting_id=meeting_id, user_id=user.id)
    assert meeting is not None
    assert meeting.status == status
    return meeting


async def age(db: asyncpg.Connection, table: str, row_id: uuid.UUID, minutes: int) -> None:
    """Moves a row's created_at `minutes` into the past: rows made in one transaction
    share now(), and the queries order by created_at."""
    await db.execute(
        f"UPDATE {table} SET created_at = now() - make_interval(mins => $2) WHERE id = $1",
        row_id,
        minutes,
    )


async def move(db: asyncpg.Connection, meeting: Meeting, status: str) -> Meeting:
    updated = await meetings.update(
        db,
        meeting_id=meeting.id,
        user_id=meeting.user_id,
        fields=MeetingFields(status=status),  # type: ignore[arg-type]
    )
    assert updated is not None
    return updated


# seed 004's eight repository tests


async def test_create_conversation(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await meetings.create(
        db,
        user_id=alice.id,
        title="Q1 Planning Meeting",
        fields=MeetingFields(
            description="Quarterly planning session",
            status="pending",
            platform="zoom",
            platform_meeting_id="123456789",
        ),
    )

    assert isinstance(meeting, Meeting)
    assert isinstance(meeting.id, uuid.UUID)
    assert meeting.user_id == alice.id
    assert meeting.title == "Q1 Planning Meeting"
    assert meeting.description == "Quarterly planning session"
    assert meeting.status == "pending"
    assert meeting.platform == "zoom"
    assert meeting.platform_meeting_id == "123456789"
    now = await db_now(db)
    assert meeting.created_at == meeting.updated_at == now


async def test_get_by_id(db: asyncpg.Connection, alice: users.User) -> None:
    created = await add_meeting(db, alice, "Q1 Planning Meeting", platform="zoom")

    found = await meetings.get_by_id(db, meeting_id=created.id, user_id=alice.id)

    assert found == created
    assert found is not None
    assert found.title == "Q1 Planning Meeting"


async def test_get_by_id_not_found(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    created = await add_meeting(db, alice)

    assert await meetings.get_by_id(db, meeting_id=uuid.uuid4(), user_id=alice.id) is None
    assert await meetings.get_by_id(db, meeting_id=created.id, user_id=bob.id) is None


async def test_get_by_status(db: asyncpg.Connection, alice: users.User, bob: users.User) -> None:
    first = await add_meeting(db, alice, "first")
    second = await add_meeting(db, alice, "second")
    await age(db, "meetings", first.id, 10)
    completed = await meeting_in_status(db, alice, "completed", "done")
    await meeting_in_status(db, bob, "pending", "bob's")

    pending = await meetings.list_by_status(db, user_id=alice.id, status="pending")
    done = await meetings.list_by_status(db, user_id=alice.id, status="completed")

    assert [m.id for m in pending] == [second.id, first.id]
    assert [m.id for m in done] == [completed.id]
    assert await meetings.list_by_status(db, user_id=alice.id, status="failed") == []
    paged = await meetings.list_by_status(db, user_id=alice.id, status="pending", limit=1, offset=1)
    assert [m.id for m in paged] == [first.id]


@pytest.mark.parametrize(
    "query", ["PLANNING", "plan", "planning", "Planning Meeting", "q1", "planned meetings"]
)
async def test_search_by_title(db: asyncpg.Connection, alice: users.User, query: str) -> None:
    wanted = await add_meeting(db, alice, "Q1 Planning Meeting")
    await add_meeting(db, alice, "Weekly standup")

    found = await meetings.search_by_title(db, user_id=alice.id, query=query)

    assert [m.id for m in found.items] == [wanted.id]
    assert (found.total, found.exact) == (1, True)


async def test_update_conversation(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice, "Q1 Planning Meeting", description="old")

    updated = await meetings.update(
        db,
        meeting_id=meeting.id,
        user_id=alice.id,
        fields=MeetingFields(title="Q1 Planning Meeting (moved)", status="transcribing"),
    )

    assert updated is not None
    assert updated.title == "Q1 Planning Meeting (moved)"
    assert updated.status == "transcribing"
    assert updated.description == "old"
    assert await meetings.get_by_id(db, meeting_id=meeting.id, user_id=alice.id) == updated


async def test_delete_conversation(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)

    assert await meetings.delete(db, meeting_id=meeting.id, user_id=alice.id) is True

    assert await meetings.get_by_id(db, meeting_id=meeting.id, user_id=alice.id) is None
    assert await meetings.exists(db, meeting_id=meeting.id, user_id=alice.id) is False


async def test_count(db: asyncpg.Connection, alice: users.User, bob: users.User) -> None:
    assert await meetings.count_by_user(db, user_id=alice.id) == 0
    for i in range(3):
        await add_meeting(db, alice, f"m{i}")
    await add_meeting(db, bob)

    assert await meetings.count_by_user(db, user_id=alice.id) == 3
    assert await meetings.count_by_user(db, user_id=bob.id) == 1


# create


async def test_create_defaults(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await meetings.create(db, user_id=alice.id, title="bare", fields=MeetingFields())

    assert meeting.status == "pending"
    assert (
        meeting.description,
        meeting.scheduled_at,
        meeting.started_at,
        meeting.ended_at,
        meeting.duration_seconds,
        meeting.platform,
        meeting.platform_meeting_id,
        meeting.meeting_url,
        meeting.transcript,
        meeting.transcript_word_count,
        meeting.transcription_provider,
        meeting.synthesis_provider,
        meeting.processing_time_seconds,
        meeting.error_message,
    ) == (None,) * 14


async def test_create_round_trips_every_field(db: asyncpg.Connection, alice: users.User) -> None:
    fields = MeetingFields(
        description="d",
        status="transcribing",
        scheduled_at=T0 - timedelta(days=1),
        started_at=T0,
        ended_at=T0 + timedelta(minutes=45, seconds=30),
        platform="teams",
        platform_meeting_id="abc-123",
        meeting_url="https://teams.example.com/abc-123",
        transcript="hello there general kenobi",
        transcription_provider="soniox",
        synthesis_provider="openai",
    )

    meeting = await meetings.create(db, user_id=alice.id, title="All fields", fields=fields)

    assert (
        meeting.description,
        meeting.status,
        meeting.scheduled_at,
        meeting.started_at,
        meeting.ended_at,
        meeting.platform,
        meeting.platform_meeting_id,
        meeting.meeting_url,
        meeting.transcript,
        meeting.transcription_provider,
        meeting.synthesis_provider,
    ) == (
        "d",
        "transcribing",
        T0 - timedelta(days=1),
        T0,
        T0 + timedelta(minutes=45, seconds=30),
        "teams",
        "abc-123",
        "https://teams.example.com/abc-123",
        "hello there general kenobi",
        "soniox",
        "openai",
    )
    assert meeting.duration_seconds == 45 * 60 + 30
    assert meeting.transcript_word_count == 4
    assert await meetings.get_by_id(db, meeting_id=meeting.id, user_id=alice.id) == meeting


async def test_create_keeps_processing_time_and_error_message(
    db: asyncpg.Connection, alice: users.User
) -> None:
    """MeetingFields carries processing_time_seconds and error_message, and create takes
    a MeetingFields: both must be stored, not dropped."""
    meeting = await add_meeting(
        db, alice, "failed import", processing_time_seconds=42, error_message="no audio"
    )

    assert (meeting.processing_time_seconds, meeting.error_message) == (42, "no audio")


async def test_create_with_ended_before_started_is_refused(
    db: asyncpg.Connection, alice: users.User
) -> None:
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await add_meeting(db, alice, started_at=T0, ended_at=T0 - timedelta(seconds=1))

    assert caught.value.constraint_name == "meetings_ends_after_start"


async def test_create_with_an_unknown_status_is_refused(
    db: asyncpg.Connection, alice: users.User
) -> None:
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await add_meeting(db, alice, status="archived")

    assert caught.value.constraint_name == "meetings_status_check"


# computed columns, as the queries return them


@pytest.mark.parametrize(
    ("transcript", "words"),
    [
        ("  a  b\n c ", 3),
        ("   ", 0),
        ("", 0),
        (None, None),
        ("one", 1),
        ("tab\tseparated\r\nwords", 3),
    ],
)
async def test_transcript_word_count_is_computed(
    db: asyncpg.Connection, alice: users.User, transcript: str | None, words: int | None
) -> None:
    meeting = await add_meeting(db, alice, transcript=transcript)

    assert meeting.transcript_word_count == words


@pytest.mark.parametrize(
    ("started", "ended", "seconds"),
    [
        (T0, T0 + timedelta(hours=1), 3600),
        (T0, T0, 0),
        (T0, T0 + timedelta(seconds=90, milliseconds=999), 90),
        (T0, None, None),
        (None, T0, None),
        (None, None, None),
    ],
)
async def test_duration_seconds_is_computed(
    db: asyncpg.Connection,
    alice: users.User,
    started: datetime | None,
    ended: datetime | None,
    seconds: int | None,
) -> None:
    meeting = await add_meeting(db, alice, started_at=started, ended_at=ended)

    assert meeting.duration_seconds == seconds


async def test_update_recomputes_word_count_and_duration(
    db: asyncpg.Connection, alice: users.User
) -> None:
    meeting = await add_meeting(db, alice, transcript="one two", started_at=T0)
    assert (meeting.transcript_word_count, meeting.duration_seconds) == (2, None)

    updated = await meetings.update(
        db,
        meeting_id=meeting.id,
        user_id=alice.id,
        fields=MeetingFields(transcript="one two three four five", ended_at=T0 + timedelta(10)),
    )

    assert updated is not None
    assert updated.transcript_word_count == 5
    assert updated.duration_seconds == 10 * 86400


# list_by_user / count_by_user


async def test_list_by_user_is_newest_first(db: asyncpg.Connection, alice: users.User) -> None:
    made = [await add_meeting(db, alice, f"m{i}") for i in range(3)]
    for minutes, meeting in enumerate(made):
        await age(db, "meetings", meeting.id, minutes)

    listed = await meetings.list_by_user(db, user_id=alice.id, limit=10, offset=0)

    assert [m.title for m in listed.items] == ["m0", "m1", "m2"]
    assert (listed.total, listed.exact) == (3, True)


async def test_list_by_user_pages_cover_everything_once(
    db: asyncpg.Connection, alice: users.User
) -> None:
    made = {(await add_meeting(db, alice)).id for _ in range(12)}

    listings = [
        await meetings.list_by_user(db, user_id=alice.id, limit=5, offset=offset)
        for offset in (0, 5, 10, 15)
    ]
    pages = [[m.id for m in listed.items] for listed in listings]

    assert [len(page) for page in pages] == [5, 5, 2, 0]
    assert [listed.total for listed in listings] == [12] * 4
    seen = [meeting_id for page in pages for meeting_id in page]
    assert len(seen) == len(set(seen))
    assert set(seen) == made
    # created_at ties (one transaction): newest first means the greater id first
    assert seen == sorted(made, reverse=True)

    by_cursor: list[list[uuid.UUID]] = []
    after = None
    for _ in range(4):
        listed = await meetings.list_by_user(db, user_id=alice.id, after=after, limit=5)
        assert listed.total == 12
        by_cursor.append([m.id for m in listed.items])
        if listed.items:
            after = (listed.items[-1].created_at, listed.items[-1].id)
    assert by_cursor == pages


async def test_list_by_user_and_count_filter_by_status_and_platform(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    zoom_pending = await add_meeting(db, alice, platform="zoom")
    teams_pending = await add_meeting(db, alice, platform="teams")
    zoom_failed = await add_meeting(db, alice, platform="zoom", status="failed")
    bare = await add_meeting(db, alice)
    await add_meeting(db, bob, platform="zoom")

    async def ids(**filters: Any) -> set[uuid.UUID]:
        listed = await meetings.list_by_user(db, user_id=alice.id, limit=100, offset=0, **filters)
        count = await meetings.count_by_user(db, user_id=alice.id, **filters)
        assert count == len(listed.items) == listed.total
        return {m.id for m in listed.items}

    assert await ids() == {zoom_pending.id, teams_pending.id, zoom_failed.id, bare.id}
    assert await ids(status="pending") == {zoom_pending.id, teams_pending.id, bare.id}
    assert await ids(platform="zoom") == {zoom_pending.id, zoom_failed.id}
    assert await ids(status="failed", platform="zoom") == {zoom_failed.id}
    assert await ids(status="completed") == set()
    assert await ids(platform="Zoom") == set()


# exists


async def test_exists(db: asyncpg.Connection, alice: users.User, bob: users.User) -> None:
    meeting = await add_meeting(db, alice)

    assert await meetings.exists(db, meeting_id=meeting.id, user_id=alice.id) is True
    assert await meetings.exists(db, meeting_id=meeting.id, user_id=bob.id) is False
    assert await meetings.exists(db, meeting_id=uuid.uuid4(), user_id=alice.id) is False


# get_by_platform_meeting_id


async def test_get_by_platform_meeting_id_newest_wins(
    db: asyncpg.Connection, alice: users.User
) -> None:
    older = await add_meeting(db, alice, "older", platform="zoom", platform_meeting_id="999")
    newer = await add_meeting(db, alice, "newer", platform="meet", platform_meeting_id="999")
    await add_meeting(db, alice, "other", platform="zoom", platform_meeting_id="111")
    await age(db, "meetings", older.id, 60)

    found = await meetings.get_by_platform_meeting_id(
        db, user_id=alice.id, platform_meeting_id="999"
    )

    assert found is not None
    assert found.id == newer.id


async def test_get_by_platform_meeting_id_platform_narrows(
    db: asyncpg.Connection, alice: users.User
) -> None:
    older = await add_meeting(db, alice, "older", platform="zoom", platform_meeting_id="999")
    newer = await add_meeting(db, alice, "newer", platform="meet", platform_meeting_id="999")
    await age(db, "meetings", older.id, 60)

    on_zoom = await meetings.get_by_platform_meeting_id(
        db, user_id=alice.id, platform_meeting_id="999", platform="zoom"
    )
    on_meet = await meetings.get_by_platform_meeting_id(
        db, user_id=alice.id, platform_meeting_id="999", platform="meet"
    )
    on_teams = await meetings.get_by_platform_meeting_id(
        db, user_id=alice.id, platform_meeting_id="999", platform="teams"
    )

    assert on_zoom is not None
    assert on_zoom.id == older.id
    assert on_meet is not None
    assert on_meet.id == newer.id
    assert on_teams is None


async def test_get_by_platform_meeting_id_misses(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    await add_meeting(db, alice, platform="zoom", platform_meeting_id="777")

    assert (
        await meetings.get_by_platform_meeting_id(db, user_id=bob.id, platform_meeting_id="777")
        is None
    )
    assert (
        await meetings.get_by_platform_meeting_id(db, user_id=alice.id, platform_meeting_id="77")
        is None
    )


# list_recent


async def test_get_recent_order_and_limit(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    made = [await add_meeting(db, alice, f"m{i}") for i in range(12)]
    for i, meeting in enumerate(made):
        await age(db, "meetings", meeting.id, 100 - i)  # m11 is the newest
    await add_meeting(db, bob, "bob's newest")

    default = await meetings.list_recent(db, user_id=alice.id)
    three = await meetings.list_recent(db, user_id=alice.id, limit=3)

    assert [m.title for m in default] == [f"m{i}" for i in range(11, 1, -1)]
    assert [m.title for m in three] == ["m11", "m10", "m9"]


# get_with_participants


async def test_get_with_participants_lists_them_oldest_first(
    db: asyncpg.Connection, alice: users.User
) -> None:
    meeting = await add_meeting(db, alice, "with people")
    made = []
    for i, (name, email) in enumerate(
        [("Zed", "zed@example.com"), ("Amy", None), ("Mo", "mo@example.com")]
    ):
        person = await participants.create(
            db, user_id=alice.id, meeting_id=meeting.id, name=name, email=email, is_organizer=i == 0
        )
        await age(db, "participants", person.id, 10 - i)
        made.append(person)

    found = await meetings.get_with_participants(db, meeting_id=meeting.id, user_id=alice.id)

    assert isinstance(found, MeetingWithParticipants)
    assert found.id == meeting.id
    assert found.title == "with people"
    assert isinstance(found.participants, list)
    assert all(isinstance(p, participants.Participant) for p in found.participants)
    assert [p.name for p in found.participants] == ["Zed", "Amy", "Mo"]
    assert [p.id for p in found.participants] == [p.id for p in made]
    assert [p.user_id for p in found.participants] == [alice.id] * 3
    assert found.participants == [
        await participants.get_by_id(
            db, participant_id=p.id, meeting_id=meeting.id, user_id=alice.id
        )
        for p in made
    ]
    assert [p.email for p in found.participants] == ["zed@example.com", None, "mo@example.com"]
    assert [p.is_organizer for p in found.participants] == [True, False, False]
    assert {p.meeting_id for p in found.participants} == {meeting.id}


async def test_get_with_participants_keeps_insertion_order_within_a_transaction(
    db: asyncpg.Connection, alice: users.User
) -> None:
    """POST /meetings adds inline participants in one transaction, where now() — and so
    created_at — is the same for all of them: they must still come back in the order
    they were added."""
    meeting = await add_meeting(db, alice)
    names = [f"person {i}" for i in range(8)]
    for name in names:
        await participants.create(db, user_id=alice.id, meeting_id=meeting.id, name=name)

    found = await meetings.get_with_participants(db, meeting_id=meeting.id, user_id=alice.id)

    assert found is not None
    assert [p.name for p in found.participants] == names


async def test_get_with_participants_is_one_query(
    db: asyncpg.Connection, alice: users.User
) -> None:
    meeting = await add_meeting(db, alice)
    await participants.create(db, user_id=alice.id, meeting_id=meeting.id, name="Ann")
    statements: list[str] = []

    def log(record: Any) -> None:
        statements.append(record.query)

    db.add_query_logger(log)
    try:
        found = await meetings.get_with_participants(db, meeting_id=meeting.id, user_id=alice.id)
        await asyncio.sleep(0)  # asyncpg hands records to loggers with call_soon
    finally:
        db.remove_query_logger(log)

    assert found is not None
    assert [p.name for p in found.participants] == ["Ann"]
    assert len(statements) == 1


async def test_get_with_participants_without_any_is_an_empty_list(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    meeting = await add_meeting(db, alice)

    found = await meetings.get_with_participants(db, meeting_id=meeting.id, user_id=alice.id)

    assert found is not None
    assert found.participants == []
    assert await meetings.get_with_participants(db, meeting_id=meeting.id, user_id=bob.id) is None
    assert (
        await meetings.get_with_participants(db, meeting_id=uuid.uuid4(), user_id=alice.id) is None
    )


# search_by_title


async def test_search_by_title_ranks_the_better_match_first(
    db: asyncpg.Connection, alice: users.User
) -> None:
    # The best match is the oldest, so only the rank can put it first.
    twice = await add_meeting(db, alice, "Budget review: budget cuts")
    once = await add_meeting(db, alice, "Budget review")
    await add_meeting(db, alice, "Hiring sync")
    await age(db, "meetings", twice.id, 60)

    found = await meetings.search_by_title(db, user_id=alice.id, query="budget")

    assert [m.id for m in found.items] == [twice.id, once.id]
    assert found.total == 2
    ranks = await db.fetch(
        "SELECT id, ts_rank(to_tsvector('english', title), websearch_to_tsquery('english', $2))"
        " AS rank FROM meetings WHERE user_id = $1 AND id = ANY($3::uuid[])",
        alice.id,
        "budget",
        [twice.id, once.id],
    )
    by_id = {r["id"]: r["rank"] for r in ranks}
    assert by_id[twice.id] > by_id[once.id]


async def test_search_by_title_ties_are_newest_first(
    db: asyncpg.Connection, alice: users.User
) -> None:
    old = await add_meeting(db, alice, "Design review")
    new = await add_meeting(db, alice, "Design review")
    await age(db, "meetings", old.id, 5)

    found = await meetings.search_by_title(db, user_id=alice.id, query="design")

    assert [m.id for m in found.items] == [new.id, old.id]


async def test_search_by_title_needs_every_word(db: asyncpg.Connection, alice: users.User) -> None:
    both = await add_meeting(db, alice, "Marketing budget review")
    await add_meeting(db, alice, "Marketing offsite")

    found = await meetings.search_by_title(db, user_id=alice.id, query="marketing budget")
    either = await meetings.search_by_title(db, user_id=alice.id, query="budget or offsite")

    assert [m.id for m in found.items] == [both.id]
    assert found.total == 1
    assert len(either.items) == either.total == 2


async def test_search_by_title_pages_and_counts(db: asyncpg.Connection, alice: users.User) -> None:
    for i in range(7):
        await add_meeting(db, alice, f"Sprint retro {i}")
    await add_meeting(db, alice, "Unrelated")

    pages = [
        await meetings.search_by_title(db, user_id=alice.id, query="retro", limit=3, offset=off)
        for off in (0, 3, 6)
    ]

    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert len({m.id for page in pages for m in page.items}) == 7
    assert [(page.total, page.exact) for page in pages] == [(7, True)] * 3
    nothing = await meetings.search_by_title(db, user_id=alice.id, query="nothing")
    assert (nothing.items, nothing.total, nothing.exact) == ([], 0, True)


async def test_search_by_title_is_per_user(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    await add_meeting(db, alice, "Secret acquisition talks")

    found = await meetings.search_by_title(db, user_id=bob.id, query="acquisition")
    assert (found.items, found.total, found.exact) == ([], 0, True)
    assert (await meetings.search_by_title(db, user_id=alice.id, query="acquisition")).total == 1


@pytest.mark.parametrize("query", ["the", "&|!", '"', "-", "a or"])
async def test_search_by_title_odd_queries_find_nothing_without_error(
    db: asyncpg.Connection, alice: users.User, query: str
) -> None:
    await add_meeting(db, alice, "The planning meeting")

    found = await meetings.search_by_title(db, user_id=alice.id, query=query)
    assert (found.items, found.total, found.exact) == ([], 0, True)


# update


async def test_update_changes_only_given_fields(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(
        db,
        alice,
        "keep",
        description="keep too",
        platform="zoom",
        platform_meeting_id="1",
        started_at=T0,
        transcript="a b",
    )

    updated = await meetings.update(
        db,
        meeting_id=meeting.id,
        user_id=alice.id,
        fields=MeetingFields(
            meeting_url="https://zoom.example.com/1",
            transcription_provider="whisper",
            synthesis_provider="claude",
            processing_time_seconds=12,
            error_message="partial",
            scheduled_at=T0 - timedelta(hours=1),
        ),
    )

    assert updated is not None
    assert (updated.title, updated.description, updated.platform) == ("keep", "keep too", "zoom")
    assert (updated.platform_meeting_id, updated.started_at, updated.transcript) == ("1", T0, "a b")
    assert updated.meeting_url == "https://zoom.example.com/1"
    assert (updated.transcription_provider, updated.synthesis_provider) == ("whisper", "claude")
    assert (updated.processing_time_seconds, updated.error_message) == (12, "partial")
    assert updated.scheduled_at == T0 - timedelta(hours=1)
    assert updated.created_at == meeting.created_at


async def test_update_of_another_users_meeting_is_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    meeting = await add_meeting(db, alice, "mine")

    result = await meetings.update(
        db,
        meeting_id=meeting.id,
        user_id=bob.id,
        fields=MeetingFields(title="stolen", status="failed"),
    )

    assert result is None
    assert await meetings.get_by_id(db, meeting_id=meeting.id, user_id=alice.id) == meeting
    assert (
        await meetings.update(
            db, meeting_id=uuid.uuid4(), user_id=alice.id, fields=MeetingFields(title="x")
        )
        is None
    )


async def test_update_ending_before_the_start_is_refused(
    db: asyncpg.Connection, alice: users.User
) -> None:
    meeting = await add_meeting(db, alice, started_at=T0)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await meetings.update(
                db,
                meeting_id=meeting.id,
                user_id=alice.id,
                fields=MeetingFields(ended_at=T0 - timedelta(minutes=1)),
            )

    assert caught.value.constraint_name == "meetings_ends_after_start"


async def test_update_blank_title_is_refused(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await meetings.update(
                db, meeting_id=meeting.id, user_id=alice.id, fields=MeetingFields(title=" \t ")
            )

    assert caught.value.constraint_name == "meetings_title_not_blank"


# the status lifecycle


async def test_the_whole_happy_path(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)

    for status in ["transcribing", "synthesizing", "completed"]:
        meeting = await move(db, meeting, status)
        assert meeting.status == status


@pytest.mark.parametrize(("old", "new"), sorted(ALLOWED))
async def test_allowed_transition(
    db: asyncpg.Connection, alice: users.User, old: str, new: str
) -> None:
    meeting = await meeting_in_status(db, alice, old)

    moved = await move(db, meeting, new)

    assert moved.status == new


@pytest.mark.parametrize("status", STATUSES)
async def test_staying_in_a_status_is_allowed(
    db: asyncpg.Connection, alice: users.User, status: str
) -> None:
    meeting = await meeting_in_status(db, alice, status)

    edited = await meetings.update(
        db,
        meeting_id=meeting.id,
        user_id=alice.id,
        fields=MeetingFields(status=status, title="edited"),  # type: ignore[arg-type]
    )

    assert edited is not None
    assert (edited.status, edited.title) == (status, "edited")


@pytest.mark.parametrize(("old", "new"), FORBIDDEN)
async def test_forbidden_transition_raises(
    db: asyncpg.Connection, alice: users.User, old: str, new: str
) -> None:
    meeting = await meeting_in_status(db, alice, old)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await move(db, meeting, new)

    assert caught.value.constraint_name == "meetings_status_transition"
    stored = await meetings.get_by_id(db, meeting_id=meeting.id, user_id=alice.id)
    assert stored is not None
    assert stored.status == old


async def test_forbidden_list_has_the_expected_examples() -> None:
    assert {
        ("pending", "completed"),
        ("completed", "pending"),
        ("completed", "failed"),
        ("transcribing", "pending"),
        ("failed", "completed"),
    } <= set(FORBIDDEN)
    assert len(FORBIDDEN) == 20 - len(ALLOWED)


async def test_failed_meeting_can_start_over(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await move(db, await add_meeting(db, alice), "transcribing")
    meeting = await move(db, meeting, "failed")

    again = await move(db, meeting, "pending")
    again = await move(db, again, "synthesizing")

    assert again.status == "synthesizing"


# delete


async def test_delete_twice_and_of_another_user(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    meeting = await add_meeting(db, alice)
    other = await add_meeting(db, alice)

    assert await meetings.delete(db, meeting_id=meeting.id, user_id=bob.id) is False
    assert await meetings.exists(db, meeting_id=meeting.id, user_id=alice.id) is True
    assert await meetings.delete(db, meeting_id=meeting.id, user_id=alice.id) is True
    assert await meetings.delete(db, meeting_id=meeting.id, user_id=alice.id) is False
    assert await meetings.exists(db, meeting_id=other.id, user_id=alice.id) is True
    assert await meetings.count_by_user(db, user_id=alice.id) == 1


async def test_delete_takes_participants_along(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)
    await participants.create(db, user_id=alice.id, meeting_id=meeting.id, name="Ann")

    await meetings.delete(db, meeting_id=meeting.id, user_id=alice.id)

    left = await db.fetchval("SELECT count(*) FROM participants WHERE meeting_id = $1", meeting.id)
    assert left == 0
