import uuid
from typing import Any

import asyncpg
import msgspec
import pytest

from service.db import Listing
from service.queries import conversations, messages, users
from service.queries.conversations import Conversation
from service.queries.messages import ListedMessage, Message, NewMessage

RICH_METADATA: dict[str, Any] = {
    "video": {"id": "dQw4w9WgXcQ", "timestamps": [0, 12.5, 61]},
    "sources": [{"chunk": 3, "score": 0.91}, {"chunk": 7, "score": None}],
    "flags": {"edited": False, "pinned": True},
    "note": "naïve café — 日本語 🎬",
    "empty": {},
    "nothing": [],
}


def parsed(listing: Listing[ListedMessage] | None) -> Listing[Message] | None:
    """A list's rows with their stored metadata parsed, to compare with Messages."""
    if listing is None:
        return None
    items = [
        Message(**{**msgspec.structs.asdict(m), "metadata": msgspec.json.decode(m.metadata)})
        for m in listing.items
    ]
    return Listing(items, listing.total, listing.exact)


async def add(
    db: asyncpg.Connection, conversation: Conversation, content: str, role: str = "user"
) -> Message:
    message = await messages.create(
        db,
        conversation_id=conversation.id,
        user_id=conversation.user_id,
        role=role,  # type: ignore[arg-type]
        content=content,
    )
    assert message is not None
    return message


async def test_create_returns_message_with_empty_metadata(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    message = await messages.create(
        db, conversation_id=conversation.id, user_id=alice.id, role="user", content="Hello"
    )

    assert isinstance(message, Message)
    assert message.conversation_id == conversation.id
    assert message.user_id == alice.id
    assert message.role == "user"
    assert message.content == "Hello"
    assert message.metadata == {}


@pytest.mark.parametrize("role", ["user", "assistant", "system"])
async def test_create_accepts_each_role(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation, role: str
) -> None:
    message = await add(db, conversation, "text", role)

    assert message.role == role


async def test_create_round_trips_nested_metadata(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    message = await messages.create(
        db,
        conversation_id=conversation.id,
        user_id=alice.id,
        role="assistant",
        content="Answer",
        metadata=RICH_METADATA,
    )

    assert message is not None
    assert message.metadata == RICH_METADATA
    fetched = await messages.get_by_id(
        db, message_id=message.id, conversation_id=conversation.id, user_id=alice.id
    )
    assert fetched is not None
    assert fetched.metadata == RICH_METADATA
    stored = await db.fetchval(
        "SELECT metadata -> 'sources' -> 0 ->> 'score' FROM messages WHERE id = $1", message.id
    )
    assert stored == "0.91"


async def test_create_keeps_unicode_and_long_content(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    content = "Ünïcødé 🎬 " * 5000

    message = await add(db, conversation, content)

    assert message.content == content


async def test_create_in_another_users_conversation_returns_none(
    db: asyncpg.Connection, bob: users.User, conversation: Conversation
) -> None:
    message = await messages.create(
        db, conversation_id=conversation.id, user_id=bob.id, role="user", content="intrusion"
    )

    assert message is None
    count = await db.fetchval(
        "SELECT count(*) FROM messages WHERE conversation_id = $1", conversation.id
    )
    assert count == 0


async def test_create_in_unknown_conversation_returns_none(
    db: asyncpg.Connection, alice: users.User
) -> None:
    message = await messages.create(
        db, conversation_id=uuid.uuid4(), user_id=alice.id, role="user", content="lost"
    )

    assert message is None


async def test_create_many_keeps_the_given_order(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    batch = [
        NewMessage(role="system", content="You are helpful."),
        NewMessage(role="user", content="Summarise the video", metadata={"video": "abc"}),
        NewMessage(role="assistant", content="Sure — 要約", metadata=RICH_METADATA),
    ]

    created = await messages.create_many(
        db, conversation_id=conversation.id, user_id=alice.id, messages=batch
    )

    assert [(m.role, m.content, m.metadata) for m in created] == [
        (n.role, n.content, n.metadata) for n in batch
    ]
    assert all(m.conversation_id == conversation.id and m.user_id == alice.id for m in created)
    assert [m.created_at for m in created] == sorted({m.created_at for m in created})
    listed = parsed(
        await messages.list_by_conversation(
            db, conversation_id=conversation.id, user_id=alice.id, limit=10, offset=0
        )
    )
    assert listed == Listing(created, 3)


async def test_create_many_follows_earlier_messages(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    first = await add(db, conversation, "first")

    created = await messages.create_many(
        db,
        conversation_id=conversation.id,
        user_id=alice.id,
        messages=[NewMessage(role="user", content=f"bulk {i}") for i in range(50)],
    )

    listed = parsed(
        await messages.list_by_conversation(
            db, conversation_id=conversation.id, user_id=alice.id, limit=100, offset=0
        )
    )
    assert listed == Listing([first, *created], 51)
    assert [m.content for m in created] == [f"bulk {i}" for i in range(50)]


async def test_create_many_with_no_messages_returns_empty(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    created = await messages.create_many(
        db, conversation_id=conversation.id, user_id=alice.id, messages=[]
    )

    assert created == []


async def test_create_many_in_another_users_conversation_inserts_nothing(
    db: asyncpg.Connection, bob: users.User, conversation: Conversation
) -> None:
    created = await messages.create_many(
        db,
        conversation_id=conversation.id,
        user_id=bob.id,
        messages=[NewMessage(role="user", content="a"), NewMessage(role="user", content="b")],
    )

    assert created == []
    count = await db.fetchval(
        "SELECT count(*) FROM messages WHERE conversation_id = $1", conversation.id
    )
    assert count == 0


async def test_create_many_rejects_the_whole_batch_on_a_bad_role(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    batch = [
        NewMessage(role="user", content="fine"),
        NewMessage(role="robot", content="bad"),  # type: ignore[arg-type]
    ]

    with pytest.raises(asyncpg.CheckViolationError):
        async with db.transaction():
            await messages.create_many(
                db, conversation_id=conversation.id, user_id=alice.id, messages=batch
            )
    assert (
        await messages.count_by_conversation(db, conversation_id=conversation.id, user_id=alice.id)
        == 0
    )


async def test_get_by_id_returns_own_message(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    message = await add(db, conversation, "find me")

    found = await messages.get_by_id(
        db, message_id=message.id, conversation_id=conversation.id, user_id=alice.id
    )
    assert found == message


async def test_get_by_id_needs_matching_conversation_and_user(
    db: asyncpg.Connection, alice: users.User, bob: users.User, conversation: Conversation
) -> None:
    message = await add(db, conversation, "private")
    other = await conversations.create(db, user_id=alice.id, title="other")

    assert (
        await messages.get_by_id(
            db, message_id=message.id, conversation_id=conversation.id, user_id=bob.id
        )
        is None
    )
    assert (
        await messages.get_by_id(
            db, message_id=message.id, conversation_id=other.id, user_id=alice.id
        )
        is None
    )
    assert (
        await messages.get_by_id(
            db, message_id=uuid.uuid4(), conversation_id=conversation.id, user_id=alice.id
        )
        is None
    )


async def test_list_by_conversation_oldest_first(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    sent = [await add(db, conversation, f"m{i}") for i in range(4)]

    listed = parsed(
        await messages.list_by_conversation(
            db, conversation_id=conversation.id, user_id=alice.id, limit=10, offset=0
        )
    )
    assert listed == Listing(sent, 4)
    assert [m.created_at for m in listed.items] == sorted(m.created_at for m in listed.items)


async def test_list_by_conversation_paginates(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    sent = [await add(db, conversation, f"m{i}") for i in range(5)]

    async def page(limit: int, offset: int = 0, after: Message | None = None) -> list[Message]:
        listed = parsed(
            await messages.list_by_conversation(
                db,
                conversation_id=conversation.id,
                user_id=alice.id,
                after=None if after is None else (after.created_at, after.id),
                limit=limit,
                offset=offset,
            )
        )
        assert listed is not None
        assert (listed.total, listed.exact) == (5, True)
        return listed.items

    assert await page(2, 0) == sent[:2]
    assert await page(2, 2) == sent[2:4]
    assert await page(2, 4) == sent[4:]
    assert await page(2, 5) == []
    # the cursor: the previous page's last message
    assert await page(2, after=sent[1]) == sent[2:4]
    assert await page(2, after=sent[3]) == sent[4:]
    assert await page(2, after=sent[4]) == []


async def test_list_by_conversation_keeps_conversations_apart(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    other = await conversations.create(db, user_id=alice.id, title="other")
    mine = await add(db, conversation, "here")
    await add(db, other, "there")

    listed = parsed(
        await messages.list_by_conversation(
            db, conversation_id=conversation.id, user_id=alice.id, limit=10, offset=0
        )
    )
    assert listed == Listing([mine], 1)


async def test_list_by_conversation_of_another_user_is_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User, conversation: Conversation
) -> None:
    await add(db, conversation, "secret")

    listed = parsed(
        await messages.list_by_conversation(
            db, conversation_id=conversation.id, user_id=bob.id, limit=10, offset=0
        )
    )
    assert listed is None
    unknown = parsed(
        await messages.list_by_conversation(
            db, conversation_id=uuid.uuid4(), user_id=alice.id, limit=10, offset=0
        )
    )
    assert unknown is None


async def test_list_by_conversation_of_an_empty_conversation_is_an_empty_listing(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    listed = parsed(
        await messages.list_by_conversation(
            db, conversation_id=conversation.id, user_id=alice.id, limit=10, offset=0
        )
    )
    assert listed == Listing([], 0)


async def test_get_last_n_returns_newest_oldest_first(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    sent = [await add(db, conversation, f"m{i}") for i in range(6)]

    last = parsed(
        await messages.list_last_n(db, conversation_id=conversation.id, user_id=alice.id, n=3)
    )

    assert last == Listing(sent[3:], 6)


async def test_get_last_n_with_fewer_messages_returns_all(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    sent = [await add(db, conversation, f"m{i}") for i in range(2)]

    last = parsed(
        await messages.list_last_n(db, conversation_id=conversation.id, user_id=alice.id, n=10)
    )

    assert last == Listing(sent, 2)


async def test_get_last_n_after_bulk_insert(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    created = await messages.create_many(
        db,
        conversation_id=conversation.id,
        user_id=alice.id,
        messages=[NewMessage(role="user", content=str(i)) for i in range(10)],
    )

    last = parsed(
        await messages.list_last_n(db, conversation_id=conversation.id, user_id=alice.id, n=4)
    )

    assert last is not None
    assert [m.content for m in last.items] == ["6", "7", "8", "9"]
    assert last == Listing(created[6:], 10)


async def test_get_last_n_zero_is_empty_and_foreign_is_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User, conversation: Conversation
) -> None:
    await add(db, conversation, "m")

    assert parsed(
        await messages.list_last_n(db, conversation_id=conversation.id, user_id=alice.id, n=0)
    ) == Listing([], 1)
    assert (
        parsed(await messages.list_last_n(db, conversation_id=conversation.id, user_id=bob.id, n=5))
        is None
    )
    assert (
        parsed(await messages.list_last_n(db, conversation_id=uuid.uuid4(), user_id=alice.id, n=5))
        is None
    )


async def test_count_by_conversation(
    db: asyncpg.Connection, alice: users.User, bob: users.User, conversation: Conversation
) -> None:
    for i in range(3):
        await add(db, conversation, f"m{i}")

    assert (
        await messages.count_by_conversation(db, conversation_id=conversation.id, user_id=alice.id)
        == 3
    )
    assert (
        await messages.count_by_conversation(db, conversation_id=conversation.id, user_id=bob.id)
        == 0
    )
    assert (
        await messages.count_by_conversation(db, conversation_id=uuid.uuid4(), user_id=alice.id)
        == 0
    )


async def test_update_content_keeps_metadata(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    original = await messages.create(
        db,
        conversation_id=conversation.id,
        user_id=alice.id,
        role="assistant",
        content="draft",
        metadata={"model": "m1"},
    )
    assert original is not None

    updated = await messages.update(
        db,
        message_id=original.id,
        conversation_id=conversation.id,
        user_id=alice.id,
        content="final",
    )

    assert updated is not None
    assert updated.content == "final"
    assert updated.metadata == {"model": "m1"}
    assert updated.created_at == original.created_at
    assert updated.role == "assistant"


async def test_update_metadata_replaces_it_whole(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    original = await messages.create(
        db,
        conversation_id=conversation.id,
        user_id=alice.id,
        role="assistant",
        content="answer",
        metadata={"model": "m1", "tokens": 10},
    )
    assert original is not None

    updated = await messages.update(
        db,
        message_id=original.id,
        conversation_id=conversation.id,
        user_id=alice.id,
        metadata=RICH_METADATA,
    )

    assert updated is not None
    assert updated.content == "answer"
    assert updated.metadata == RICH_METADATA


async def test_update_with_nothing_keeps_the_message(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    original = await add(db, conversation, "same")

    updated = await messages.update(
        db, message_id=original.id, conversation_id=conversation.id, user_id=alice.id
    )

    assert updated == original


async def test_update_of_another_users_message_returns_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User, conversation: Conversation
) -> None:
    original = await add(db, conversation, "mine")

    result = await messages.update(
        db,
        message_id=original.id,
        conversation_id=conversation.id,
        user_id=bob.id,
        content="yours",
    )

    assert result is None
    unchanged = await messages.get_by_id(
        db, message_id=original.id, conversation_id=conversation.id, user_id=alice.id
    )
    assert unchanged == original


async def test_delete_removes_own_message(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    kept = await add(db, conversation, "keep")
    doomed = await add(db, conversation, "drop")

    assert (
        await messages.delete(
            db, message_id=doomed.id, conversation_id=conversation.id, user_id=alice.id
        )
        is True
    )
    assert (
        await messages.delete(
            db, message_id=doomed.id, conversation_id=conversation.id, user_id=alice.id
        )
        is False
    )
    listed = parsed(
        await messages.list_by_conversation(
            db, conversation_id=conversation.id, user_id=alice.id, limit=10, offset=0
        )
    )
    assert listed == Listing([kept], 1)


async def test_delete_of_another_users_message_is_refused(
    db: asyncpg.Connection, alice: users.User, bob: users.User, conversation: Conversation
) -> None:
    message = await add(db, conversation, "mine")

    assert (
        await messages.delete(
            db, message_id=message.id, conversation_id=conversation.id, user_id=bob.id
        )
        is False
    )
    assert (
        await messages.count_by_conversation(db, conversation_id=conversation.id, user_id=alice.id)
        == 1
    )


async def test_exists_needs_matching_message_conversation_and_user(
    db: asyncpg.Connection, alice: users.User, bob: users.User, conversation: Conversation
) -> None:
    message = await add(db, conversation, "here")
    other = await conversations.create(db, user_id=alice.id, title="other")

    async def exists(message_id: uuid.UUID, conversation_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        return await messages.exists(
            db, message_id=message_id, conversation_id=conversation_id, user_id=user_id
        )

    assert await exists(message.id, conversation.id, alice.id) is True
    assert await exists(message.id, conversation.id, bob.id) is False
    assert await exists(message.id, other.id, alice.id) is False
    assert await exists(uuid.uuid4(), conversation.id, alice.id) is False


async def test_update_metadata_to_empty_object(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    original = await messages.create(
        db,
        conversation_id=conversation.id,
        user_id=alice.id,
        role="user",
        content="tagged",
        metadata={"tag": "x"},
    )
    assert original is not None

    updated = await messages.update(
        db,
        message_id=original.id,
        conversation_id=conversation.id,
        user_id=alice.id,
        metadata={},
    )

    assert updated is not None
    assert updated.metadata == {}


async def message_count(db: asyncpg.Connection, conversation: Conversation) -> int:
    fetched = await conversations.get_by_id(
        db, conversation_id=conversation.id, user_id=conversation.user_id
    )
    assert fetched is not None
    return fetched.message_count


async def test_message_count_follows_creates_bulk_creates_and_deletes(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation
) -> None:
    other = await conversations.create(db, user_id=alice.id, title="other")
    assert await message_count(db, conversation) == 0

    first = await add(db, conversation, "one")
    assert await message_count(db, conversation) == 1

    await messages.create_many(
        db,
        conversation_id=conversation.id,
        user_id=alice.id,
        messages=[NewMessage(role="user", content=f"bulk {i}") for i in range(4)],
    )
    assert await message_count(db, conversation) == 5

    await messages.delete(
        db, message_id=first.id, conversation_id=conversation.id, user_id=alice.id
    )
    assert await message_count(db, conversation) == 4
    assert (
        await messages.count_by_conversation(db, conversation_id=conversation.id, user_id=alice.id)
        == 4
    )
    assert await message_count(db, other) == 0


async def test_message_count_ignores_refused_inserts(
    db: asyncpg.Connection, alice: users.User, bob: users.User, conversation: Conversation
) -> None:
    await add(db, conversation, "mine")

    assert (
        await messages.create(
            db, conversation_id=conversation.id, user_id=bob.id, role="user", content="x"
        )
        is None
    )
    assert (
        await messages.create_many(
            db,
            conversation_id=conversation.id,
            user_id=bob.id,
            messages=[NewMessage(role="user", content="y")],
        )
        == []
    )
    with pytest.raises(asyncpg.CheckViolationError):
        async with db.transaction():
            await messages.create_many(
                db,
                conversation_id=conversation.id,
                user_id=alice.id,
                messages=[
                    NewMessage(role="user", content="fine"),
                    NewMessage(role="robot", content="bad"),  # type: ignore[arg-type]
                ],
            )

    assert await message_count(db, conversation) == 1
