from typing import Any

from service.db import Executor, Listing
from service.queries.generated import config as generated
from service.queries.generated.config import ConfigEntry as ConfigEntry

get = generated.get
count = generated.count
set_value = generated.set_value
exists = generated.exists


async def get_value(db: Executor, *, key: str, default: Any = None) -> Any:
    entry = await get(db, key=key)
    return default if entry is None else entry.value


async def list_all(db: Executor, *, limit: int, offset: int = 0) -> Listing[ConfigEntry]:
    total, items = await generated.list_all(db, limit=limit, offset=offset)
    return Listing(items, total)


delete = generated.delete
