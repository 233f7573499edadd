"""The message queries that find their caller by a session's token in the same
statement (sql/messages/*_for_session.sql): what the user-id queries do for a live
session's user, and nothing for a dead session."""

import uuid

import asyncpg
import pytest

from service.queries import messages, sessions, users
from service.queries.conversations import Conversation
from tests.sql.conftest import token_hash

DAY = 86_400


@pytest.fixture
async def live_token(db: asyncpg.Connection, alice: users.User) -> str:
    token = token_hash(f"alice-{uuid.uuid4()}")
    await sessions.create(db, user_id=alice.id, token_hash=token, ttl_seconds=DAY)
    return token


async def _count(db: asyncpg.Connection, conversation: Conversation) -> int:
    count: int = await db.fetchval(
        "SELECT count(*) FROM messages WHERE conversation_id = $1", conversation.id
    )
    return count


async def test_create_for_a_live_session_adds_the_message_as_its_user(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation, live_token: str
) -> None:
    message = await messages.create_for_session(
        db, conversation_id=conversation.id, token_hash=live_token, role="user", content="hi"
    )

    assert message is not None
    assert (message.user_id, message.conversation_id) == (alice.id, conversation.id)
    assert (message.role, message.content, message.metadata) == ("user", "hi", {})
    assert await _count(db, conversation) == 1


async def test_create_for_an_expired_session_adds_nothing(
    db: asyncpg.Connection, conversation: Conversation, live_token: str
) -> None:
    await db.execute("UPDATE sessions SET expires_at = now() - interval '1 second'")

    message = await messages.create_for_session(
        db, conversation_id=conversation.id, token_hash=live_token, role="user", content="hi"
    )

    assert message is None
    assert await _count(db, conversation) == 0


async def test_create_for_an_unknown_token_or_an_inactive_user_adds_nothing(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation, live_token: str
) -> None:
    unknown = await messages.create_for_session(
        db, conversation_id=conversation.id, token_hash=token_hash("nobody"), role="user",
        content="hi",
    )  # fmt: skip
    await db.execute("UPDATE users SET is_active = false WHERE id = $1", alice.id)
    inactive = await messages.create_for_session(
        db, conversation_id=conversation.id, token_hash=live_token, role="user", content="hi"
    )

    assert (unknown, inactive) == (None, None)
    assert await _count(db, conversation) == 0


async def test_create_for_another_users_session_adds_nothing(
    db: asyncpg.Connection, bob: users.User, conversation: Conversation
) -> None:
    bobs_token = token_hash("bob")
    await sessions.create(db, user_id=bob.id, token_hash=bobs_token, ttl_seconds=DAY)

    message = await messages.create_for_session(
        db, conversation_id=conversation.id, token_hash=bobs_token, role="user", content="hi"
    )

    assert message is None
    assert await _count(db, conversation) == 0


async def test_lists_for_a_live_session_equal_the_user_id_lists(
    db: asyncpg.Connection, alice: users.User, conversation: Conversation, live_token: str
) -> None:
    for i in range(5):
        await messages.create(
            db, conversation_id=conversation.id, user_id=alice.id, role="user", content=f"m{i}"
        )
    by_user = await messages.list_by_conversation(
        db, conversation_id=conversation.id, user_id=alice.id, limit=3, offset=1
    )
    by_session = await messages.list_by_conversation_for_session(
        db, conversation_id=conversation.id, token_hash=live_token, limit=3, offset=1
    )
    assert by_user is not None and by_session == by_user
    assert [m.content for m in by_session.items] == ["m1", "m2", "m3"]
    assert by_session.total == 5
    after = (by_session.items[-1].created_at, by_session.items[-1].id)
    rest = await messages.list_by_conversation_for_session(
        db, conversation_id=conversation.id, token_hash=live_token, after=after, limit=10
    )
    assert rest is not None and [m.content for m in rest.items] == ["m4"]

    newest = await messages.list_last_n_for_session(
        db, conversation_id=conversation.id, token_hash=live_token, n=2
    )
    assert newest == await messages.list_last_n(
        db, conversation_id=conversation.id, user_id=alice.id, n=2
    )
    assert newest is not None and [m.content for m in newest.items] == ["m3", "m4"]


async def test_lists_of_an_empty_conversation_are_empty_not_none(
    db: asyncpg.Connection, conversation: Conversation, live_token: str
) -> None:
    page = await messages.list_by_conversation_for_session(
        db, conversation_id=conversation.id, token_hash=live_token, limit=10
    )
    newest = await messages.list_last_n_for_session(
        db, conversation_id=conversation.id, token_hash=live_token, n=10
    )

    assert page is not None and (page.items, page.total) == ([], 0)
    assert newest is not None and (newest.items, newest.total) == ([], 0)


async def test_lists_for_a_dead_session_or_a_foreign_conversation_are_none(
    db: asyncpg.Connection, bob: users.User, conversation: Conversation, live_token: str
) -> None:
    await messages.create(
        db, conversation_id=conversation.id, user_id=conversation.user_id, role="user",
        content="secret",
    )  # fmt: skip
    bobs_token = token_hash("bob")
    await sessions.create(db, user_id=bob.id, token_hash=bobs_token, ttl_seconds=DAY)
    foreign = [
        await messages.list_by_conversation_for_session(
            db, conversation_id=conversation.id, token_hash=bobs_token, limit=10
        ),
        await messages.list_last_n_for_session(
            db, conversation_id=conversation.id, token_hash=bobs_token, n=10
        ),
    ]
    await db.execute("UPDATE sessions SET expires_at = now() - interval '1 second'")
    expired = [
        await messages.list_by_conversation_for_session(
            db, conversation_id=conversation.id, token_hash=live_token, limit=10
        ),
        await messages.list_last_n_for_session(
            db, conversation_id=conversation.id, token_hash=live_token, n=10
        ),
    ]

    assert foreign == [None, None]
    assert expired == [None, None]
