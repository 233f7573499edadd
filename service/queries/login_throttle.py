"""Failed logins, counted in PostgreSQL. record_failure counts a failed login on the
account (or, with no account, on the login name) and on the address, and returns the
seconds the account must now wait."""

from uuid import UUID

from service.db import Executor
from service.queries.generated import login_throttle as generated

record_failure = generated.record_failure
delete_expired = generated.delete_expired


async def record_success(db: Executor, *, user_id: UUID) -> bool:
    """Forgets the account's failures; whether there were any."""
    return await generated.record_success(db, user_id=user_id) is not None
