from collections.abc import Sequence

from service.db import Executor
from service.queries.generated import migrations as generated


async def count_applied(db: Executor, *, migration_ids: Sequence[str]) -> int:
    """How many of the given migrations are applied (yoyo's own record)."""
    return await generated.count_applied(db, migration_ids=list(migration_ids))
