import uuid
from datetime import timedelta

import asyncpg
import pytest

from service.db import Listing
from service.queries import conversations, messages, users
from service.queries.conversations import Conversation
from tests.sql.conftest import db_now


async def insert_aged(
    db: asyncpg.Connection, user_id: uuid.UUID, title: str, hours_ago: int
) -> Conversation:
    """A conversation last updated `hours_ago` hours before now()."""
    row = await db.fetchrow(
        """
        INSERT INTO conversations (user_id, title, created_at, updated_at)
        VALUES ($1, $2, now() - make_interval(hours => $3), now() - make_interval(hours => $3))
        RETURNING id, user_id, title, created_at, updated_at, message_count
        """,
        user_id,
        title,
        hours_ago,
    )
    return Conversation(**dict(row))  # by name, as the generated code maps it


async def fetch(
    db: asyncpg.Connection, conversation_id: uuid.UUID, user_id: uuid.UUID
) -> Conversation | None:
    return await conversations.get_by_id(db, conversation_id=conversation_id, user_id=user_id)


async def test_create_with_title(db: asyncpg.Connection, alice: users.User) -> None:
    created = await conversations.create(db, user_id=alice.id, title="Rust talks")

    now = await db_now(db)
    assert isinstance(created, Conversation)
    assert created.user_id == alice.id
    assert created.title == "Rust talks"
    assert created.created_at == now
    assert created.updated_at == now
    assert created.message_count == 0


async def test_create_without_title_uses_default(db: asyncpg.Connection, alice: users.User) -> None:
    created = await conversations.create(db, user_id=alice.id)

    assert created.title == "New Conversation"


async def test_create_keeps_unicode_title(db: asyncpg.Connection, alice: users.User) -> None:
    title = "Über Ünïcode — 日本語 🎬"
    created = await conversations.create(db, user_id=alice.id, title=title)

    fetched = await conversations.get_by_id(db, conversation_id=created.id, user_id=alice.id)
    assert fetched is not None
    assert fetched.title == title


async def test_create_for_unknown_user_raises(db: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        async with db.transaction():
            await conversations.create(db, user_id=uuid.uuid4(), title="orphan")


async def test_get_by_id_returns_own_conversation(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    assert (
        await conversations.get_by_id(db, conversation_id=conversation.id, user_id=alice.id)
        == conversation
    )


async def test_get_by_id_of_another_user_returns_none(
    db: asyncpg.Connection, bob: users.User, conversation: Conversation
) -> None:
    assert (
        await conversations.get_by_id(db, conversation_id=conversation.id, user_id=bob.id) is None
    )


async def test_get_by_id_unknown_returns_none(db: asyncpg.Connection, alice: users.User) -> None:
    assert await conversations.get_by_id(db, conversation_id=uuid.uuid4(), user_id=alice.id) is None


async def test_list_by_user_most_recently_updated_first(
    db: asyncpg.Connection, alice: users.User
) -> None:
    old = await insert_aged(db, alice.id, "old", 48)
    new = await insert_aged(db, alice.id, "new", 1)
    middle = await insert_aged(db, alice.id, "middle", 24)

    listed = await conversations.list_by_user(db, user_id=alice.id, limit=10, offset=0)
    assert listed == Listing([new, middle, old], 3)


async def test_list_by_user_breaks_ties_by_id(db: asyncpg.Connection, alice: users.User) -> None:
    created = [await conversations.create(db, user_id=alice.id, title=f"c{i}") for i in range(4)]

    listed = await conversations.list_by_user(db, user_id=alice.id, limit=10, offset=0)
    # newest first, and among equal updated_at the greater id first
    assert [c.id for c in listed.items] == sorted((c.id for c in created), reverse=True)
    assert listed.total == 4


async def test_list_by_user_cursor_pages_cover_ties_once(
    db: asyncpg.Connection, alice: users.User
) -> None:
    tied = [await conversations.create(db, user_id=alice.id, title=f"t{i}") for i in range(4)]
    older = [await insert_aged(db, alice.id, f"o{hours}", hours) for hours in (1, 2, 3)]
    expected = sorted((c.id for c in tied), reverse=True) + [c.id for c in older]

    seen: list[list[uuid.UUID]] = []
    after = None
    while True:
        page = await conversations.list_by_user(db, user_id=alice.id, after=after, limit=3)
        assert page.total == 7
        seen.append([c.id for c in page.items])
        if not page.items:
            break
        after = (page.items[-1].updated_at, page.items[-1].id)

    assert seen == [expected[0:3], expected[3:6], expected[6:], []]


async def test_new_message_moves_conversation_to_the_top(
    db: asyncpg.Connection, alice: users.User
) -> None:
    stale = await insert_aged(db, alice.id, "stale", 72)
    fresh = await insert_aged(db, alice.id, "fresh", 1)

    await messages.create(
        db, conversation_id=stale.id, user_id=alice.id, role="user", content="ping"
    )

    listed = await conversations.list_by_user(db, user_id=alice.id, limit=10, offset=0)
    assert [c.id for c in listed.items] == [stale.id, fresh.id]
    assert listed.items[0].updated_at == await db_now(db)
    assert [c.message_count for c in listed.items] == [1, 0]


async def test_list_by_user_paginates(db: asyncpg.Connection, alice: users.User) -> None:
    created = [await insert_aged(db, alice.id, f"c{hours}", hours) for hours in range(1, 6)]

    async def page(offset: int) -> Listing[Conversation]:
        return await conversations.list_by_user(db, user_id=alice.id, limit=2, offset=offset)

    assert await page(0) == Listing(created[:2], 5)
    assert await page(2) == Listing(created[2:4], 5)
    assert await page(4) == Listing(created[4:], 5)
    assert await page(5) == Listing([], 5)


async def test_list_by_user_excludes_other_users(
    db: asyncpg.Connection, alice: users.User, bob: users.User, conversation: Conversation
) -> None:
    bobs = await conversations.create(db, user_id=bob.id, title="Bob's chat")

    assert await conversations.list_by_user(db, user_id=bob.id, limit=10, offset=0) == Listing(
        [bobs], 1
    )
    assert await conversations.list_by_user(db, user_id=alice.id, limit=10, offset=0) == Listing(
        [conversation], 1
    )


async def test_list_by_user_without_conversations_is_empty(
    db: asyncpg.Connection, bob: users.User
) -> None:
    assert await conversations.list_by_user(db, user_id=bob.id, limit=10, offset=0) == Listing(
        [], 0
    )


async def test_count_by_user(db: asyncpg.Connection, alice: users.User, bob: users.User) -> None:
    for i in range(3):
        await conversations.create(db, user_id=alice.id, title=f"c{i}")

    assert await conversations.count_by_user(db, user_id=alice.id) == 3
    assert await conversations.count_by_user(db, user_id=bob.id) == 0


async def test_exists_only_for_the_owner(
    db: asyncpg.Connection, alice: users.User, bob: users.User, conversation: Conversation
) -> None:
    assert await conversations.exists(db, conversation_id=conversation.id, user_id=alice.id) is True
    assert await conversations.exists(db, conversation_id=conversation.id, user_id=bob.id) is False
    assert await conversations.exists(db, conversation_id=uuid.uuid4(), user_id=alice.id) is False


async def test_update_title(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    updated = await conversations.update(
        db, conversation_id=conversation.id, user_id=alice.id, title="Renamed"
    )

    assert updated is not None
    assert updated.id == conversation.id
    assert updated.title == "Renamed"
    assert updated.created_at == conversation.created_at
    assert await fetch(db, conversation.id, alice.id) == updated


async def test_update_without_title_keeps_it_and_bumps_updated_at(
    db: asyncpg.Connection, alice: users.User
) -> None:
    aged = await insert_aged(db, alice.id, "Keep me", 5)

    updated = await conversations.update(db, conversation_id=aged.id, user_id=alice.id)

    assert updated is not None
    assert updated.title == "Keep me"
    assert updated.updated_at == await db_now(db)
    assert updated.updated_at - aged.updated_at == timedelta(hours=5)


async def test_update_of_another_users_conversation_returns_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User, conversation: Conversation
) -> None:
    result = await conversations.update(
        db, conversation_id=conversation.id, user_id=bob.id, title="Hijacked"
    )

    assert result is None
    assert await fetch(db, conversation.id, alice.id) == conversation


async def test_update_to_blank_title_raises(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        async with db.transaction():
            await conversations.update(
                db, conversation_id=conversation.id, user_id=alice.id, title="   "
            )


async def test_delete_removes_conversation_and_its_messages(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    await messages.create(
        db, conversation_id=conversation.id, user_id=alice.id, role="user", content="hi"
    )

    deleted = await conversations.delete(db, conversation_id=conversation.id, user_id=alice.id)
    again = await conversations.delete(db, conversation_id=conversation.id, user_id=alice.id)

    assert (deleted, again) == (True, False)
    assert await fetch(db, conversation.id, alice.id) is None
    left = await db.fetchval(
        "SELECT count(*) FROM messages WHERE conversation_id = $1", conversation.id
    )
    assert left == 0


async def test_delete_of_another_users_conversation_is_refused(
    db: asyncpg.Connection, alice: users.User, bob: users.User, conversation: Conversation
) -> None:
    assert await conversations.delete(db, conversation_id=conversation.id, user_id=bob.id) is False
    assert await conversations.exists(db, conversation_id=conversation.id, user_id=alice.id) is True
