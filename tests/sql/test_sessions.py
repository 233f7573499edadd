import uuid
from datetime import timedelta

import asyncpg

from service.queries import sessions, users
from tests.sql.conftest import db_now, token_hash


async def test_create_sets_expiry_from_the_database_clock(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await sessions.create(
        db, user_id=alice.id, token_hash=token_hash("create"), ttl_seconds=3600
    )

    now = await db_now(db)
    assert isinstance(session, sessions.Session)
    assert session.user_id == alice.id
    assert session.created_at == now
    assert session.expires_at == now + timedelta(hours=1)


async def test_create_accepts_fractional_ttl(db: asyncpg.Connection, alice: users.User) -> None:
    session = await sessions.create(
        db, user_id=alice.id, token_hash=token_hash("fraction"), ttl_seconds=1.5
    )

    assert session.expires_at - session.created_at == timedelta(seconds=1.5)


async def test_create_accepts_negative_ttl_as_already_expired(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await sessions.create(
        db, user_id=alice.id, token_hash=token_hash("expired"), ttl_seconds=-60
    )

    assert session.expires_at == await db_now(db) - timedelta(seconds=60)


async def test_create_does_not_store_anything_but_the_hash(
    db: asyncpg.Connection, alice: users.User
) -> None:
    digest = token_hash("stored")
    session = await sessions.create(db, user_id=alice.id, token_hash=digest, ttl_seconds=60)

    stored = await db.fetchval("SELECT token_hash FROM sessions WHERE id = $1", session.id)
    assert stored == digest


async def test_get_by_token_returns_live_session(db: asyncpg.Connection, alice: users.User) -> None:
    digest = token_hash("live")
    session = await sessions.create(db, user_id=alice.id, token_hash=digest, ttl_seconds=3600)

    assert await sessions.get_by_token(db, token_hash=digest) == session


async def test_get_by_token_ignores_expired_session(
    db: asyncpg.Connection, alice: users.User
) -> None:
    digest = token_hash("gone")
    await sessions.create(db, user_id=alice.id, token_hash=digest, ttl_seconds=-60)

    assert await sessions.get_by_token(db, token_hash=digest) is None


async def test_get_by_token_treats_expiry_now_as_expired(
    db: asyncpg.Connection, alice: users.User
) -> None:
    digest = token_hash("boundary")
    await sessions.create(db, user_id=alice.id, token_hash=digest, ttl_seconds=0)

    assert await sessions.get_by_token(db, token_hash=digest) is None


async def test_get_by_token_unknown_returns_none(db: asyncpg.Connection) -> None:
    assert await sessions.get_by_token(db, token_hash=token_hash("unknown")) is None


async def test_get_user_by_token_returns_the_owner(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    await sessions.create(db, user_id=alice.id, token_hash=token_hash("a"), ttl_seconds=60)
    await sessions.create(db, user_id=bob.id, token_hash=token_hash("b"), ttl_seconds=60)

    assert await sessions.get_user_by_token(db, token_hash=token_hash("a")) == alice
    assert await sessions.get_user_by_token(db, token_hash=token_hash("b")) == bob


async def test_get_user_by_token_ignores_expired_session(
    db: asyncpg.Connection, alice: users.User
) -> None:
    digest = token_hash("stale")
    await sessions.create(db, user_id=alice.id, token_hash=digest, ttl_seconds=-1)

    assert await sessions.get_user_by_token(db, token_hash=digest) is None


async def test_get_user_by_token_ignores_inactive_user(
    db: asyncpg.Connection, alice: users.User
) -> None:
    digest = token_hash("inactive")
    await sessions.create(db, user_id=alice.id, token_hash=digest, ttl_seconds=60)
    await users.update(db, user_id=alice.id, is_active=False)

    assert await sessions.get_user_by_token(db, token_hash=digest) is None
    assert await sessions.get_by_token(db, token_hash=digest) is not None


async def test_get_user_by_token_unknown_returns_none(db: asyncpg.Connection) -> None:
    assert await sessions.get_user_by_token(db, token_hash=token_hash("nobody")) is None


async def test_list_by_user_returns_only_own_live_sessions(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    live = await sessions.create(db, user_id=alice.id, token_hash=token_hash("l"), ttl_seconds=60)
    await sessions.create(db, user_id=alice.id, token_hash=token_hash("x"), ttl_seconds=-60)
    await sessions.create(db, user_id=bob.id, token_hash=token_hash("bob"), ttl_seconds=60)

    assert await sessions.list_by_user(db, user_id=alice.id, limit=10, offset=0) == [live]


async def test_list_by_user_orders_newest_first_then_by_id(
    db: asyncpg.Connection, alice: users.User
) -> None:
    created = [
        await sessions.create(
            db, user_id=alice.id, token_hash=token_hash(f"order{i}"), ttl_seconds=60
        )
        for i in range(3)
    ]
    await db.execute(
        "UPDATE sessions SET created_at = now() - interval '1 hour' WHERE id = $1", created[0].id
    )

    listed = await sessions.list_by_user(db, user_id=alice.id, limit=10, offset=0)
    assert [s.id for s in listed] == [*sorted(s.id for s in created[1:]), created[0].id]


async def test_list_by_user_paginates(db: asyncpg.Connection, alice: users.User) -> None:
    for i in range(5):
        await sessions.create(db, user_id=alice.id, token_hash=token_hash(f"p{i}"), ttl_seconds=60)
    everything = await sessions.list_by_user(db, user_id=alice.id, limit=100, offset=0)

    assert len(everything) == 5
    assert await sessions.list_by_user(db, user_id=alice.id, limit=2, offset=0) == everything[:2]
    assert await sessions.list_by_user(db, user_id=alice.id, limit=2, offset=2) == everything[2:4]
    assert await sessions.list_by_user(db, user_id=alice.id, limit=2, offset=4) == everything[4:]
    assert await sessions.list_by_user(db, user_id=alice.id, limit=2, offset=5) == []


async def test_list_by_user_without_sessions_is_empty(
    db: asyncpg.Connection, alice: users.User
) -> None:
    assert await sessions.list_by_user(db, user_id=alice.id, limit=10, offset=0) == []


async def test_delete_removes_own_session(db: asyncpg.Connection, alice: users.User) -> None:
    digest = token_hash("logout")
    session = await sessions.create(db, user_id=alice.id, token_hash=digest, ttl_seconds=60)

    assert await sessions.delete(db, session_id=session.id, user_id=alice.id) is True
    assert await sessions.get_by_token(db, token_hash=digest) is None
    assert await sessions.delete(db, session_id=session.id, user_id=alice.id) is False


async def test_delete_of_another_users_session_is_refused(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    digest = token_hash("alice-only")
    session = await sessions.create(db, user_id=alice.id, token_hash=digest, ttl_seconds=60)

    assert await sessions.delete(db, session_id=session.id, user_id=bob.id) is False
    assert await sessions.get_by_token(db, token_hash=digest) == session


async def test_delete_unknown_returns_false(db: asyncpg.Connection, alice: users.User) -> None:
    assert await sessions.delete(db, session_id=uuid.uuid4(), user_id=alice.id) is False


async def test_delete_by_token(db: asyncpg.Connection, alice: users.User) -> None:
    digest = token_hash("by-token")
    kept = await sessions.create(
        db, user_id=alice.id, token_hash=token_hash("kept"), ttl_seconds=60
    )
    await sessions.create(db, user_id=alice.id, token_hash=digest, ttl_seconds=60)

    assert await sessions.delete_by_token(db, token_hash=digest) is True
    assert await sessions.get_by_token(db, token_hash=digest) is None
    assert await sessions.delete_by_token(db, token_hash=digest) is False
    assert await sessions.list_by_user(db, user_id=alice.id, limit=10, offset=0) == [kept]


async def test_delete_by_token_removes_expired_session_too(
    db: asyncpg.Connection, alice: users.User
) -> None:
    digest = token_hash("expired-logout")
    await sessions.create(db, user_id=alice.id, token_hash=digest, ttl_seconds=-60)

    assert await sessions.delete_by_token(db, token_hash=digest) is True


async def test_delete_expired_purges_only_expired_sessions(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    await sessions.delete_expired(db)
    live = await sessions.create(db, user_id=alice.id, token_hash=token_hash("ok"), ttl_seconds=60)
    for seed, owner, ttl in [("e1", alice, -60), ("e2", bob, -3600), ("e3", alice, 0)]:
        await sessions.create(db, user_id=owner.id, token_hash=token_hash(seed), ttl_seconds=ttl)

    assert await sessions.delete_expired(db) == 3
    assert await sessions.delete_expired(db) == 0
    remaining = await db.fetchval(
        "SELECT count(*) FROM sessions WHERE user_id = ANY($1::uuid[])", [alice.id, bob.id]
    )
    assert remaining == 1
    assert await sessions.get_by_token(db, token_hash=token_hash("ok")) == live


async def test_count_by_user_counts_only_own_live_sessions(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    for seed, ttl in [("c1", 60), ("c2", 3600), ("c3", -60), ("c4", 0)]:
        await sessions.create(db, user_id=alice.id, token_hash=token_hash(seed), ttl_seconds=ttl)
    await sessions.create(db, user_id=bob.id, token_hash=token_hash("c5"), ttl_seconds=60)

    assert await sessions.count_by_user(db, user_id=alice.id) == 2
    assert await sessions.count_by_user(db, user_id=bob.id) == 1
    assert await sessions.count_by_user(db, user_id=uuid.uuid4()) == 0
    listed = await sessions.list_by_user(db, user_id=alice.id, limit=100, offset=0)
    assert len(listed) == 2
