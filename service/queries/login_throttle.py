from uuid import UUID

from service.db import Executor, sql

_RECORD_FAILURE = sql("login_throttle/record_failure")
_RECORD_SUCCESS = sql("login_throttle/record_success")
_DELETE_EXPIRED = sql("login_throttle/delete_expired")


async def record_failure(
    db: Executor,
    *,
    user_id: UUID | None,
    login: str,
    address: str,
    account_failures: int,
    window_seconds: int,
    max_wait_seconds: int,
) -> int:
    """Counts a failed login on the account (or, with no account, on the login
    name) and on the address; returns the seconds the account must now wait."""
    wait: int = await db.fetchval(
        _RECORD_FAILURE, user_id, login, address, account_failures, window_seconds,
        max_wait_seconds,
    )  # fmt: skip
    return wait


async def record_success(db: Executor, *, user_id: UUID) -> bool:
    """Forgets the account's failures; whether there were any."""
    return await db.fetchval(_RECORD_SUCCESS, user_id) is not None


async def delete_expired(db: Executor, *, window_seconds: int) -> int:
    deleted: int = await db.fetchval(_DELETE_EXPIRED, window_seconds)
    return deleted
