"""service/queries/participants.py: the people in a meeting, per user, one per e-mail."""

import uuid

import asyncpg
import pytest

from service.db import Listing
from service.queries import participants, users
from service.queries.participants import Participant
from tests.sql.conftest import db_now
from tests.sql.test_meetings import add_meeting, age


async def test_create_with_defaults(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)

    person = await participants.create(db, user_id=alice.id, meeting_id=meeting.id, name="Ann")

    assert isinstance(person, Participant)
    assert isinstance(person.id, uuid.UUID)
    assert (person.user_id, person.meeting_id) == (alice.id, meeting.id)
    assert (person.name, person.email, person.is_organizer) == ("Ann", None, False)
    now = await db_now(db)
    assert person.created_at == person.updated_at == now


async def test_create_round_trips_every_field(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)

    person = await participants.create(
        db,
        user_id=alice.id,
        meeting_id=meeting.id,
        name="Ann Organizer",
        email="Ann@Example.com",
        is_organizer=True,
    )

    assert (person.name, person.email, person.is_organizer) == (
        "Ann Organizer",
        "Ann@Example.com",
        True,
    )
    found = await participants.get_by_id(
        db, participant_id=person.id, meeting_id=meeting.id, user_id=alice.id
    )
    assert found == person


async def test_get_by_id_misses(db: asyncpg.Connection, alice: users.User, bob: users.User) -> None:
    meeting = await add_meeting(db, alice)
    other_meeting = await add_meeting(db, alice)
    person = await participants.create(db, user_id=alice.id, meeting_id=meeting.id, name="Ann")

    assert (
        await participants.get_by_id(
            db, participant_id=person.id, meeting_id=meeting.id, user_id=bob.id
        )
        is None
    )
    assert (
        await participants.get_by_id(
            db, participant_id=person.id, meeting_id=other_meeting.id, user_id=alice.id
        )
        is None
    )
    assert (
        await participants.get_by_id(
            db, participant_id=uuid.uuid4(), meeting_id=meeting.id, user_id=alice.id
        )
        is None
    )


async def test_list_by_meeting_oldest_first_with_pages(
    db: asyncpg.Connection, alice: users.User
) -> None:
    meeting = await add_meeting(db, alice)
    other = await add_meeting(db, alice)
    made = []
    for i in range(5):
        person = await participants.create(
            db, user_id=alice.id, meeting_id=meeting.id, name=f"p{i}"
        )
        await age(db, "participants", person.id, 10 - i)
        made.append(person)
    await participants.create(db, user_id=alice.id, meeting_id=other.id, name="elsewhere")

    everyone = await participants.list_by_meeting(db, meeting_id=meeting.id, user_id=alice.id)
    first = await participants.list_by_meeting(
        db, meeting_id=meeting.id, user_id=alice.id, limit=2, offset=0
    )
    last = await participants.list_by_meeting(
        db, meeting_id=meeting.id, user_id=alice.id, limit=2, offset=4
    )

    assert everyone is not None and first is not None and last is not None
    assert [p.name for p in everyone.items] == ["p0", "p1", "p2", "p3", "p4"]
    assert [p.id for p in first.items] == [made[0].id, made[1].id]
    assert [p.id for p in last.items] == [made[4].id]
    assert [x.total for x in (everyone, first, last)] == [5, 5, 5]
    assert await participants.count_by_meeting(db, meeting_id=meeting.id, user_id=alice.id) == 5
    assert await participants.count_by_meeting(db, meeting_id=other.id, user_id=alice.id) == 1


async def test_list_and_count_of_another_user_are_empty(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    meeting = await add_meeting(db, alice)
    await participants.create(db, user_id=alice.id, meeting_id=meeting.id, name="Ann")

    # not bob's meeting: no listing at all, where an empty meeting has an empty one
    assert await participants.list_by_meeting(db, meeting_id=meeting.id, user_id=bob.id) is None
    assert await participants.list_by_meeting(db, meeting_id=uuid.uuid4(), user_id=alice.id) is None
    assert await participants.count_by_meeting(db, meeting_id=meeting.id, user_id=bob.id) == 0
    empty = await add_meeting(db, alice)
    assert await participants.list_by_meeting(db, meeting_id=empty.id, user_id=alice.id) == Listing(
        [], 0
    )


async def test_update_changes_only_given_fields(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)
    person = await participants.create(
        db, user_id=alice.id, meeting_id=meeting.id, name="Ann", email="ann@example.com"
    )

    organizer = await participants.update(
        db, participant_id=person.id, meeting_id=meeting.id, user_id=alice.id, is_organizer=True
    )
    renamed = await participants.update(
        db,
        participant_id=person.id,
        meeting_id=meeting.id,
        user_id=alice.id,
        name="Ann B.",
        email="ann.b@example.com",
    )

    assert organizer is not None
    assert (organizer.name, organizer.email, organizer.is_organizer) == (
        "Ann",
        "ann@example.com",
        True,
    )
    assert renamed is not None
    assert (renamed.name, renamed.email, renamed.is_organizer) == (
        "Ann B.",
        "ann.b@example.com",
        True,
    )
    unset = await participants.update(
        db, participant_id=person.id, meeting_id=meeting.id, user_id=alice.id, is_organizer=False
    )
    assert unset is not None
    assert unset.is_organizer is False


async def test_update_of_another_users_participant_is_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    meeting = await add_meeting(db, alice)
    person = await participants.create(db, user_id=alice.id, meeting_id=meeting.id, name="Ann")

    result = await participants.update(
        db, participant_id=person.id, meeting_id=meeting.id, user_id=bob.id, name="stolen"
    )

    assert result is None
    stored = await participants.get_by_id(
        db, participant_id=person.id, meeting_id=meeting.id, user_id=alice.id
    )
    assert stored == person


async def test_delete(db: asyncpg.Connection, alice: users.User, bob: users.User) -> None:
    meeting = await add_meeting(db, alice)
    person = await participants.create(db, user_id=alice.id, meeting_id=meeting.id, name="Ann")
    stays = await participants.create(db, user_id=alice.id, meeting_id=meeting.id, name="Bo")

    assert (
        await participants.delete(
            db, participant_id=person.id, meeting_id=meeting.id, user_id=bob.id
        )
        is False
    )
    assert (
        await participants.delete(
            db, participant_id=person.id, meeting_id=meeting.id, user_id=alice.id
        )
        is True
    )
    assert (
        await participants.delete(
            db, participant_id=person.id, meeting_id=meeting.id, user_id=alice.id
        )
        is False
    )
    left = await participants.list_by_meeting(db, meeting_id=meeting.id, user_id=alice.id)
    assert left is not None
    assert [p.id for p in left.items] == [stays.id]
    assert left.total == 1


@pytest.mark.parametrize(
    "email", ["not-an-email", "a@b", "@example.com", "ann@", "ann smith@example.com", ""]
)
async def test_bad_email_is_refused(db: asyncpg.Connection, alice: users.User, email: str) -> None:
    meeting = await add_meeting(db, alice)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await participants.create(
                db, user_id=alice.id, meeting_id=meeting.id, name="Ann", email=email
            )

    assert caught.value.constraint_name == "participants_email_format"


async def test_blank_name_is_refused(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await participants.create(db, user_id=alice.id, meeting_id=meeting.id, name="  ")

    assert caught.value.constraint_name == "participants_name_not_blank"


@pytest.mark.parametrize("second", ["ann@example.com", "ANN@EXAMPLE.COM", "Ann@Example.com"])
async def test_same_email_twice_in_a_meeting_is_refused(
    db: asyncpg.Connection, alice: users.User, second: str
) -> None:
    meeting = await add_meeting(db, alice)
    await participants.create(
        db, user_id=alice.id, meeting_id=meeting.id, name="Ann", email="ann@example.com"
    )

    with pytest.raises(asyncpg.UniqueViolationError) as caught:
        async with db.transaction():
            await participants.create(
                db, user_id=alice.id, meeting_id=meeting.id, name="Ann again", email=second
            )

    assert caught.value.constraint_name == "uq_participants_meeting_email"
    assert await participants.count_by_meeting(db, meeting_id=meeting.id, user_id=alice.id) == 1


async def test_changing_an_email_to_a_taken_one_is_refused(
    db: asyncpg.Connection, alice: users.User
) -> None:
    meeting = await add_meeting(db, alice)
    await participants.create(
        db, user_id=alice.id, meeting_id=meeting.id, name="Ann", email="ann@example.com"
    )
    bo = await participants.create(
        db, user_id=alice.id, meeting_id=meeting.id, name="Bo", email="bo@example.com"
    )

    with pytest.raises(asyncpg.UniqueViolationError) as caught:
        async with db.transaction():
            await participants.update(
                db,
                participant_id=bo.id,
                meeting_id=meeting.id,
                user_id=alice.id,
                email="ANN@example.com",
            )

    assert caught.value.constraint_name == "uq_participants_meeting_email"


async def test_same_email_in_two_meetings_and_many_without_email_are_fine(
    db: asyncpg.Connection, alice: users.User
) -> None:
    first = await add_meeting(db, alice)
    second = await add_meeting(db, alice)

    await participants.create(
        db, user_id=alice.id, meeting_id=first.id, name="Ann", email="ann@example.com"
    )
    await participants.create(
        db, user_id=alice.id, meeting_id=second.id, name="Ann", email="ann@example.com"
    )
    for name in ["X", "Y", "Z"]:
        await participants.create(db, user_id=alice.id, meeting_id=first.id, name=name)

    assert await participants.count_by_meeting(db, meeting_id=first.id, user_id=alice.id) == 4
    assert await participants.count_by_meeting(db, meeting_id=second.id, user_id=alice.id) == 1


async def test_another_users_meeting_is_refused(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    meeting = await add_meeting(db, alice)

    with pytest.raises(asyncpg.ForeignKeyViolationError) as caught:
        async with db.transaction():
            await participants.create(db, user_id=bob.id, meeting_id=meeting.id, name="Mallory")

    assert caught.value.constraint_name == "participants_meeting_fkey"
    assert await participants.count_by_meeting(db, meeting_id=meeting.id, user_id=alice.id) == 0


async def test_unknown_meeting_is_refused(db: asyncpg.Connection, alice: users.User) -> None:
    with pytest.raises(asyncpg.ForeignKeyViolationError) as caught:
        async with db.transaction():
            await participants.create(db, user_id=alice.id, meeting_id=uuid.uuid4(), name="Ann")

    assert caught.value.constraint_name == "participants_meeting_fkey"
