import uuid

import asyncpg
import pytest

from service.queries import users
from tests.sql.conftest import PASSWORD_HASH, MakeUser, db_now

BCRYPT_HASH = "$2b$12$abcdefghijklmnopqrstuuJ2bGm1r1wq3rQ0b1s2G3h4i5j6k7l8m"


async def test_create_returns_user_with_defaults(db: asyncpg.Connection) -> None:
    user = await users.create(
        db, username="carol.k-1", email="Carol@Example.com", password_hash=PASSWORD_HASH
    )

    now = await db_now(db)
    assert isinstance(user, users.User)
    assert isinstance(user.id, uuid.UUID)
    assert user.username == "carol.k-1"
    assert user.email == "Carol@Example.com"
    assert user.is_active is True
    assert user.is_admin is False
    assert user.created_at == now
    assert user.updated_at == now


async def test_create_never_returns_the_password_hash(alice: users.User) -> None:
    assert "password_hash" not in users.User.__struct_fields__
    assert PASSWORD_HASH not in repr(alice)


async def credentials_of(db: asyncpg.Connection, login: str) -> users.LoginAttempt:
    return await users.get_credentials(
        db, login=login, address="127.0.0.1", address_failures=100, window_seconds=900
    )


async def test_create_accepts_bcrypt_hash(db: asyncpg.Connection) -> None:
    user = await users.create(
        db, username="bcrypt_user", email="bcrypt@example.com", password_hash=BCRYPT_HASH
    )

    credentials = await credentials_of(db, "bcrypt_user")
    assert credentials is not None
    assert credentials.id == user.id
    assert credentials.password_hash == BCRYPT_HASH


async def test_create_duplicate_email_raises(db: asyncpg.Connection, alice: users.User) -> None:
    with pytest.raises(asyncpg.UniqueViolationError):
        async with db.transaction():
            await users.create(
                db, username="other_name", email=alice.email.upper(), password_hash=PASSWORD_HASH
            )


async def test_create_duplicate_username_raises(db: asyncpg.Connection, alice: users.User) -> None:
    with pytest.raises(asyncpg.UniqueViolationError):
        async with db.transaction():
            await users.create(
                db, username=alice.username, email="fresh@example.com", password_hash=PASSWORD_HASH
            )


async def test_get_by_id_returns_the_user(db: asyncpg.Connection, alice: users.User) -> None:
    assert await users.get_by_id(db, user_id=alice.id) == alice


async def test_get_by_id_unknown_returns_none(db: asyncpg.Connection) -> None:
    assert await users.get_by_id(db, user_id=uuid.uuid4()) is None


async def test_get_by_email_is_case_insensitive(
    db: asyncpg.Connection, make_user: MakeUser
) -> None:
    user = await make_user(email="Dora.Explorer@Example.COM")

    assert await users.get_by_email(db, email="dora.explorer@example.com") == user
    assert await users.get_by_email(db, email="DORA.EXPLORER@EXAMPLE.COM") == user


async def test_get_by_email_unknown_returns_none(db: asyncpg.Connection, alice: users.User) -> None:
    assert await users.get_by_email(db, email="nobody@example.com") is None


async def test_get_by_username_returns_the_user(db: asyncpg.Connection, alice: users.User) -> None:
    assert await users.get_by_username(db, username=alice.username) == alice


async def test_get_by_username_unknown_returns_none(
    db: asyncpg.Connection, alice: users.User
) -> None:
    assert await users.get_by_username(db, username="no_such_user") is None


async def test_get_credentials_by_username(db: asyncpg.Connection, alice: users.User) -> None:
    credentials = await credentials_of(db, alice.username)

    assert credentials == users.LoginAttempt(
        id=alice.id,
        password_hash=PASSWORD_HASH,
        is_active=True,
        wait_seconds=0,
        failed_lately=False,
        address_spraying=False,
    )


async def test_get_credentials_by_email_ignores_case(
    db: asyncpg.Connection, alice: users.User
) -> None:
    credentials = await credentials_of(db, alice.email.upper())

    assert credentials is not None
    assert credentials.id == alice.id


async def test_get_credentials_reports_inactive_user(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await users.update(db, user_id=alice.id, is_active=False)

    credentials = await credentials_of(db, alice.username)
    assert credentials is not None
    assert credentials.is_active is False


async def test_get_credentials_unknown_has_no_account(
    db: asyncpg.Connection, alice: users.User
) -> None:
    unknown = await credentials_of(db, "ghost@example.com")
    assert unknown.id is None and unknown.password_hash is None and unknown.is_active is None
    assert unknown.wait_seconds == 0


async def test_get_credentials_by_username_ignores_case(
    db: asyncpg.Connection, alice: users.User
) -> None:
    credentials = await credentials_of(db, alice.username.upper())
    assert credentials.id == alice.id


async def test_list_all_orders_by_created_at_then_id(
    db: asyncpg.Connection, make_user: MakeUser
) -> None:
    created = [await make_user() for _ in range(3)]

    listed = await users.list_all(db, limit=1000, offset=0)
    ours = [u for u in listed if u.id in {c.id for c in created}]
    assert ours == sorted(created, key=lambda u: (u.created_at, u.id))
    assert listed == sorted(listed, key=lambda u: (u.created_at, u.id))


async def test_list_all_paginates(db: asyncpg.Connection, make_user: MakeUser) -> None:
    for _ in range(5):
        await make_user()
    everyone = await users.list_all(db, limit=1000, offset=0)

    assert await users.list_all(db, limit=2, offset=0) == everyone[:2]
    assert await users.list_all(db, limit=2, offset=2) == everyone[2:4]
    assert await users.list_all(db, limit=2, offset=len(everyone) - 1) == everyone[-1:]
    assert await users.list_all(db, limit=2, offset=len(everyone)) == []


async def test_count_follows_creates_and_deletes(
    db: asyncpg.Connection, make_user: MakeUser
) -> None:
    before = await users.count(db)
    first = await make_user()
    await make_user()

    assert await users.count(db) == before + 2
    await users.delete(db, user_id=first.id)
    assert await users.count(db) == before + 1


async def test_exists(db: asyncpg.Connection, alice: users.User) -> None:
    assert await users.exists(db, user_id=alice.id) is True
    assert await users.exists(db, user_id=uuid.uuid4()) is False


async def test_update_changes_given_fields_only(db: asyncpg.Connection, alice: users.User) -> None:
    updated = await users.update(db, user_id=alice.id, username="alice_renamed")

    assert updated is not None
    assert updated.username == "alice_renamed"
    assert updated.email == alice.email
    assert updated.is_active is True
    assert await users.get_by_id(db, user_id=alice.id) == updated


async def test_update_all_fields(db: asyncpg.Connection, alice: users.User) -> None:
    updated = await users.update(
        db,
        user_id=alice.id,
        username="alice2",
        email="alice2@example.org",
        password_hash=BCRYPT_HASH,
        is_active=False,
    )

    assert updated is not None
    assert (updated.username, updated.email, updated.is_active) == (
        "alice2",
        "alice2@example.org",
        False,
    )
    credentials = await credentials_of(db, "alice2")
    assert credentials is not None
    assert credentials.password_hash == BCRYPT_HASH


async def test_update_with_nothing_keeps_the_row(db: asyncpg.Connection, alice: users.User) -> None:
    assert await users.update(db, user_id=alice.id) == alice


async def test_update_unknown_returns_none(db: asyncpg.Connection) -> None:
    assert await users.update(db, user_id=uuid.uuid4(), username="whoever") is None


async def test_update_to_taken_email_raises(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    with pytest.raises(asyncpg.UniqueViolationError):
        async with db.transaction():
            await users.update(db, user_id=bob.id, email=alice.email.title())


async def test_set_admin_grants_and_revokes(db: asyncpg.Connection, alice: users.User) -> None:
    granted = await users.set_admin(db, username=alice.username, is_admin=True)
    assert granted is not None
    assert granted.id == alice.id
    assert granted.is_admin is True

    revoked = await users.set_admin(db, username=alice.username, is_admin=False)
    assert revoked is not None
    assert revoked.is_admin is False


async def test_set_admin_touches_only_that_user(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    await users.set_admin(db, username=alice.username, is_admin=True)

    assert await users.get_by_id(db, user_id=bob.id) == bob


async def test_set_admin_unknown_username_returns_none(db: asyncpg.Connection) -> None:
    assert await users.set_admin(db, username="no_such_user", is_admin=True) is None


async def test_delete_removes_the_user(db: asyncpg.Connection, alice: users.User) -> None:
    assert await users.delete(db, user_id=alice.id) is True
    assert await users.get_by_id(db, user_id=alice.id) is None
    assert await users.delete(db, user_id=alice.id) is False


async def test_delete_unknown_returns_false(db: asyncpg.Connection) -> None:
    assert await users.delete(db, user_id=uuid.uuid4()) is False
