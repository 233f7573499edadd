from collections.abc import Sequence

from service.db import Executor, sql

_COUNT_APPLIED = sql("migrations/count_applied")


async def count_applied(db: Executor, *, migration_ids: Sequence[str]) -> int:
    """How many of the given migrations are applied (yoyo's own record)."""
    result: int = await db.fetchval(_COUNT_APPLIED, list(migration_ids))
    return result
