"""Login throttling in SQL: sql/login_throttle/*.sql and sql/users/get_credentials.sql
run directly, plus the schema of migration 0011 (usernames unique whatever their
case, failed logins on users, the login_throttle table).

Each test runs in one rolled-back transaction, where now() stands still: the waits
below are exact. A failure "gets old" by moving its time stamp back."""

import uuid
from collections.abc import Callable

import asyncpg
import pytest

from service.queries import login_throttle, users
from service.queries.users import LoginAttempt
from tests.sql.conftest import PASSWORD_HASH, MakeUser

WINDOW = 900
ADDRESS = "192.0.2.1"


async def fail(
    db: asyncpg.Connection,
    *,
    user_id: uuid.UUID | None = None,
    login: str = "ghost",
    address: str = ADDRESS,
    threshold: int = 3,
    max_wait: int = 900,
) -> int:
    return await login_throttle.record_failure(
        db,
        user_id=user_id,
        login=login,
        address=address,
        account_failures=threshold,
        window_seconds=WINDOW,
        max_wait_seconds=max_wait,
    )


async def attempt(
    db: asyncpg.Connection, login: str, *, address: str = ADDRESS, address_failures: int = 100
) -> LoginAttempt:
    return await users.get_credentials(
        db,
        login=login,
        address=address,
        address_failures=address_failures,
        window_seconds=WINDOW,
    )


async def account(db: asyncpg.Connection, user_id: uuid.UUID) -> asyncpg.Record:
    row = await db.fetchrow(
        "SELECT failed_login_count, last_failed_login_at = now() AS failed_now,"
        " extract(epoch FROM login_locked_until - now())::float8 AS wait"
        " FROM users WHERE id = $1",
        user_id,
    )
    assert row is not None
    return row


async def throttle(db: asyncpg.Connection, key: str) -> asyncpg.Record | None:
    row: asyncpg.Record | None = await db.fetchrow(
        "SELECT failures, last_failure_at = now() AS failed_now,"
        " extract(epoch FROM locked_until - now())::float8 AS wait"
        " FROM login_throttle WHERE key = $1",
        key,
    )
    return row


# --- record_failure: accounts --------------------------------------------------------------


async def test_an_accounts_waits_start_at_the_threshold_and_double_up_to_the_cap(
    db: asyncpg.Connection, alice: users.User
) -> None:
    waits = [await fail(db, user_id=alice.id, threshold=3, max_wait=20) for _ in range(9)]

    assert waits == [0, 0, 1, 2, 4, 8, 16, 20, 20]
    row = await account(db, alice.id)
    assert (row["failed_login_count"], row["failed_now"], row["wait"]) == (9, True, 20)


async def test_the_default_settings_wait_1_s_after_5_failures_and_at_most_900(
    db: asyncpg.Connection, alice: users.User
) -> None:
    waits = [await fail(db, user_id=alice.id, threshold=5, max_wait=900) for _ in range(16)]

    assert waits == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]


async def test_a_failure_is_counted_on_the_account_not_under_its_login_name(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await fail(db, user_id=alice.id, login=alice.username)

    row = await account(db, alice.id)
    assert (row["failed_login_count"], row["failed_now"], row["wait"]) == (1, True, None)
    assert await throttle(db, f"login:{alice.username}") is None
    keys = await db.fetch("SELECT key FROM login_throttle")
    assert [k["key"] for k in keys] == [f"address:{ADDRESS}"]


async def test_an_accounts_failures_older_than_the_window_start_the_count_over(
    db: asyncpg.Connection, alice: users.User
) -> None:
    for _ in range(4):
        await fail(db, user_id=alice.id)
    await db.execute(
        "UPDATE users SET last_failed_login_at = now() - $2 * interval '1 second',"
        " login_locked_until = NULL WHERE id = $1",
        alice.id,
        WINDOW + 1,
    )

    assert await fail(db, user_id=alice.id) == 0
    row = await account(db, alice.id)
    assert (row["failed_login_count"], row["wait"]) == (1, None)


async def test_a_failure_just_inside_the_window_still_counts(
    db: asyncpg.Connection, alice: users.User
) -> None:
    for _ in range(2):
        await fail(db, user_id=alice.id)
    await db.execute(
        "UPDATE users SET last_failed_login_at = now() - $2 * interval '1 second' WHERE id = $1",
        alice.id,
        WINDOW - 1,
    )

    assert await fail(db, user_id=alice.id) == 1
    assert (await account(db, alice.id))["failed_login_count"] == 3


async def test_other_accounts_are_not_touched(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    for _ in range(5):
        await fail(db, user_id=alice.id)

    row = await account(db, bob.id)
    assert (row["failed_login_count"], row["wait"]) == (0, None)


# --- record_failure: unknown login names -------------------------------------------------


async def test_an_unknown_name_is_counted_under_its_lower_cased_key(
    db: asyncpg.Connection,
) -> None:
    assert await fail(db, login="Ghost") == 0
    assert await fail(db, login="GHOST") == 0
    assert await fail(db, login="ghost") == 1

    row = await throttle(db, "login:ghost")
    assert row is not None
    assert (row["failures"], row["failed_now"], row["wait"]) == (3, True, 1)
    assert await db.fetchval("SELECT count(*) FROM login_throttle WHERE key LIKE 'login:%'") == 1


async def test_an_unknown_name_waits_exactly_like_an_account(
    db: asyncpg.Connection, alice: users.User
) -> None:
    known = [await fail(db, user_id=alice.id, max_wait=10) for _ in range(8)]
    unknown = [await fail(db, login="nobody", max_wait=10) for _ in range(8)]

    assert known == unknown == [0, 0, 1, 2, 4, 8, 10, 10]


@pytest.mark.parametrize("threshold", [1, 2])
async def test_at_any_threshold_a_known_and_an_unknown_name_wait_alike(
    db: asyncpg.Connection, alice: users.User, threshold: int
) -> None:
    """Whatever TUBEBASE_LOGIN_ACCOUNT_FAILURES is (1 is allowed), the waits of an
    account and of a name no account has are the same, failure by failure: otherwise
    the answers tell which names exist."""
    known = [await fail(db, user_id=alice.id, threshold=threshold) for _ in range(4)]
    unknown = [await fail(db, login="nobody", threshold=threshold) for _ in range(4)]

    assert known == unknown
    assert known[threshold - 1] == 1  # the threshold's failure makes logins wait 1 s


async def test_an_unknown_names_old_failures_start_the_count_over(
    db: asyncpg.Connection,
) -> None:
    for _ in range(4):
        await fail(db, login="nobody")
    await db.execute(
        "UPDATE login_throttle SET last_failure_at = now() - $1 * interval '1 second',"
        " locked_until = NULL WHERE key = 'login:nobody'",
        WINDOW + 1,
    )

    assert await fail(db, login="nobody") == 0
    row = await throttle(db, "login:nobody")
    assert row is not None
    assert (row["failures"], row["wait"]) == (1, None)


# --- record_failure: client addresses ----------------------------------------------------


async def test_every_failure_counts_on_the_address_known_or_unknown(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    await fail(db, user_id=alice.id)
    await fail(db, user_id=bob.id)
    await fail(db, login="nobody")
    await fail(db, login="nobody", address="192.0.2.2")

    here = await throttle(db, f"address:{ADDRESS}")
    there = await throttle(db, "address:192.0.2.2")
    assert here is not None and there is not None
    assert (here["failures"], here["failed_now"], here["wait"]) == (3, True, None)
    assert there["failures"] == 1


async def test_an_addresses_old_failures_are_forgotten(db: asyncpg.Connection) -> None:
    for _ in range(3):
        await fail(db, login="nobody")
    await db.execute(
        "UPDATE login_throttle SET last_failure_at = now() - $1 * interval '1 second'"
        " WHERE key = $2",
        WINDOW + 1,
        f"address:{ADDRESS}",
    )

    await fail(db, login="somebody")

    row = await throttle(db, f"address:{ADDRESS}")
    assert row is not None and row["failures"] == 1


# --- record_success ----------------------------------------------------------------------


async def test_a_success_forgets_the_accounts_failures_only(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    for _ in range(4):
        await fail(db, user_id=alice.id)
        await fail(db, user_id=bob.id)

    assert await login_throttle.record_success(db, user_id=alice.id) is True

    cleared = await db.fetchrow(
        "SELECT failed_login_count, last_failed_login_at, login_locked_until"
        " FROM users WHERE id = $1",
        alice.id,
    )
    assert tuple(cleared) == (0, None, None)
    assert (await account(db, bob.id))["failed_login_count"] == 4
    address = await throttle(db, f"address:{ADDRESS}")
    assert address is not None and address["failures"] == 8
    # Nothing left to forget.
    assert await login_throttle.record_success(db, user_id=alice.id) is False


async def test_a_success_without_failures_writes_nothing(
    db: asyncpg.Connection, alice: users.User
) -> None:
    before = await db.fetchrow("SELECT xmin, updated_at FROM users WHERE id = $1", alice.id)

    assert await login_throttle.record_success(db, user_id=alice.id) is False
    assert await login_throttle.record_success(db, user_id=uuid.uuid4()) is False

    after = await db.fetchrow("SELECT xmin, updated_at FROM users WHERE id = $1", alice.id)
    assert after == before


# --- delete_expired ----------------------------------------------------------------------


async def test_delete_expired_keeps_recent_and_waiting_rows(db: asyncpg.Connection) -> None:
    await db.execute(
        "INSERT INTO login_throttle (key, failures, last_failure_at, locked_until) VALUES"
        " ('login:old', 3, now() - interval '2 hours', NULL),"
        " ('login:old-done', 9, now() - interval '2 hours', now() - interval '1 hour'),"
        " ('login:old-waiting', 9, now() - interval '2 hours', now() + interval '1 hour'),"
        " ('login:recent', 1, now() - interval '1 minute', NULL),"
        " ('address:192.0.2.9', 50, now() - interval '2 hours', NULL)"
    )

    assert await login_throttle.delete_expired(db, window_seconds=WINDOW) == 3

    keys = await db.fetch("SELECT key FROM login_throttle ORDER BY key")
    assert [k["key"] for k in keys] == ["login:old-waiting", "login:recent"]
    assert await login_throttle.delete_expired(db, window_seconds=WINDOW) == 0


# --- get_credentials ---------------------------------------------------------------------


async def test_credentials_of_an_account_nobody_failed_to_log_in_to(
    db: asyncpg.Connection, alice: users.User
) -> None:
    found = await attempt(db, alice.username)

    assert found == LoginAttempt(
        id=alice.id,
        password_hash=PASSWORD_HASH,
        is_active=True,
        wait_seconds=0,
        failed_lately=False,
        address_spraying=False,
    )


@pytest.mark.parametrize("spelling", [str.upper, str.lower, str.title, str.swapcase])
async def test_credentials_find_a_username_and_an_email_in_any_case(
    db: asyncpg.Connection, make_user: MakeUser, spelling: Callable[[str], str]
) -> None:
    user = await make_user(username="Ada_Lovelace", email="Ada@Example.com")

    by_name = await attempt(db, spelling("Ada_Lovelace"))
    by_email = await attempt(db, spelling("Ada@Example.com"))

    assert by_name.id == by_email.id == user.id


async def test_credentials_of_a_throttled_account(
    db: asyncpg.Connection, alice: users.User
) -> None:
    for _ in range(4):
        await fail(db, user_id=alice.id)

    found = await attempt(db, alice.email.upper())

    assert (found.id, found.wait_seconds, found.failed_lately) == (alice.id, 2, True)
    assert found.address_spraying is False


async def test_credentials_of_an_unknown_name_carry_its_throttling(
    db: asyncpg.Connection,
) -> None:
    fresh = await attempt(db, "Nobody")
    for _ in range(3):
        await fail(db, login="nobody")
    throttled = await attempt(db, "NOBODY")

    assert (fresh.id, fresh.password_hash, fresh.is_active) == (None, None, None)
    assert (fresh.wait_seconds, fresh.failed_lately) == (0, False)
    assert (throttled.id, throttled.password_hash, throttled.is_active) == (None, None, None)
    assert (throttled.wait_seconds, throttled.failed_lately) == (1, True)


async def test_credentials_do_not_read_a_login_name_key_for_a_real_account(
    db: asyncpg.Connection, alice: users.User
) -> None:
    """A key left under the account's name (written before the account existed, say)
    does not throttle the account: only the account's own columns do."""
    await db.execute(
        "INSERT INTO login_throttle (key, failures, last_failure_at, locked_until)"
        " VALUES ($1, 50, now(), now() + interval '1 hour')",
        f"login:{alice.username}",
    )

    found = await attempt(db, alice.username)

    assert (found.id, found.wait_seconds, found.failed_lately) == (alice.id, 0, False)


async def test_credentials_say_failed_lately_only_within_the_window(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await fail(db, user_id=alice.id)
    assert (await attempt(db, alice.username)).failed_lately is True

    await db.execute(
        "UPDATE users SET last_failed_login_at = now() - $2 * interval '1 second' WHERE id = $1",
        alice.id,
        WINDOW + 1,
    )
    assert (await attempt(db, alice.username)).failed_lately is False

    await fail(db, user_id=alice.id)
    await login_throttle.record_success(db, user_id=alice.id)
    assert (await attempt(db, alice.username)).failed_lately is False


async def test_an_expired_wait_is_zero_seconds(db: asyncpg.Connection, alice: users.User) -> None:
    await db.execute(
        "UPDATE users SET failed_login_count = 7, last_failed_login_at = now(),"
        " login_locked_until = now() - interval '5 seconds' WHERE id = $1",
        alice.id,
    )

    found = await attempt(db, alice.username)

    assert (found.wait_seconds, found.failed_lately) == (0, True)


async def test_a_partial_second_left_is_a_whole_second_to_wait(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await db.execute(
        "UPDATE users SET failed_login_count = 7, last_failed_login_at = now(),"
        " login_locked_until = now() + interval '2.2 seconds' WHERE id = $1",
        alice.id,
    )

    assert (await attempt(db, alice.username)).wait_seconds == 3


async def test_credentials_say_an_address_is_spraying_at_its_threshold(
    db: asyncpg.Connection, alice: users.User
) -> None:
    for name in ("a", "b", "c"):
        await fail(db, login=name)

    assert (await attempt(db, alice.username, address_failures=4)).address_spraying is False
    assert (await attempt(db, alice.username, address_failures=3)).address_spraying is True
    elsewhere = await attempt(db, alice.username, address="192.0.2.2", address_failures=3)
    assert elsewhere.address_spraying is False

    await db.execute(
        "UPDATE login_throttle SET last_failure_at = now() - $1 * interval '1 second'"
        " WHERE key = $2",
        WINDOW + 1,
        f"address:{ADDRESS}",
    )
    assert (await attempt(db, alice.username, address_failures=3)).address_spraying is False


async def test_credentials_of_an_inactive_account_still_carry_its_throttling(
    db: asyncpg.Connection, alice: users.User
) -> None:
    await users.update(db, user_id=alice.id, is_active=False)
    for _ in range(3):
        await fail(db, user_id=alice.id)

    found = await attempt(db, alice.username)

    assert (found.is_active, found.wait_seconds, found.failed_lately) == (False, 1, True)


# --- the schema --------------------------------------------------------------------------


@pytest.mark.parametrize("other", ["ADA", "Ada", "aDa"])
async def test_usernames_differing_only_in_case_violate_the_unique_index(
    db: asyncpg.Connection, other: str
) -> None:
    await db.execute(
        "INSERT INTO users (username, email, password_hash) VALUES ('ada', 'a1@example.com', $1)",
        PASSWORD_HASH,
    )

    with pytest.raises(asyncpg.UniqueViolationError) as raised:
        await db.execute(
            "INSERT INTO users (username, email, password_hash) VALUES ($1, 'a2@example.com', $2)",
            other,
            PASSWORD_HASH,
        )
    assert raised.value.constraint_name == "idx_users_username"


async def test_the_username_index_is_unique_on_lower_username(db: asyncpg.Connection) -> None:
    definition = await db.fetchval(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_users_username'"
    )

    assert definition.startswith("CREATE UNIQUE INDEX idx_users_username ON ")
    assert definition.endswith("(lower((username)::text))")


@pytest.mark.parametrize(
    ("key", "failures", "constraint"),
    [
        ("user:ada", 1, "login_throttle_key_format"),
        ("ada", 1, "login_throttle_key_format"),
        ("login:ada", 0, "login_throttle_failures_positive"),
        ("address:192.0.2.1", -1, "login_throttle_failures_positive"),
    ],
)
async def test_login_throttle_rows_are_checked(
    db: asyncpg.Connection, key: str, failures: int, constraint: str
) -> None:
    with pytest.raises(asyncpg.CheckViolationError) as raised:
        await db.execute(
            "INSERT INTO login_throttle (key, failures, last_failure_at) VALUES ($1, $2, now())",
            key,
            failures,
        )
    assert raised.value.constraint_name == constraint


async def test_a_login_throttle_key_is_unique(db: asyncpg.Connection) -> None:
    await db.execute(
        "INSERT INTO login_throttle (key, failures, last_failure_at) VALUES ('login:x', 1, now())"
    )

    with pytest.raises(asyncpg.UniqueViolationError):
        await db.execute(
            "INSERT INTO login_throttle (key, failures, last_failure_at)"
            " VALUES ('login:x', 2, now())"
        )


async def test_a_failed_login_count_is_never_negative(
    db: asyncpg.Connection, alice: users.User
) -> None:
    with pytest.raises(asyncpg.CheckViolationError) as raised:
        await db.execute("UPDATE users SET failed_login_count = -1 WHERE id = $1", alice.id)
    assert raised.value.constraint_name == "users_failed_login_count_not_negative"


async def test_a_new_user_has_no_failed_logins(db: asyncpg.Connection, alice: users.User) -> None:
    row = await db.fetchrow(
        "SELECT failed_login_count, last_failed_login_at, login_locked_until"
        " FROM users WHERE id = $1",
        alice.id,
    )

    assert tuple(row) == (0, None, None)
