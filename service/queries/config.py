from datetime import datetime
from typing import Any

import msgspec

from service.db import Executor, Listing, listing, one, sql


class ConfigEntry(msgspec.Struct, frozen=True, gc=False):
    key: str
    value: Any
    description: str | None
    updated_at: datetime


_GET = sql("config/get")
_LIST = sql("config/list")
_COUNT = sql("config/count")
_EXISTS = sql("config/exists")
_SET = sql("config/set")
_DELETE = sql("config/delete")


async def get(db: Executor, *, key: str) -> ConfigEntry | None:
    return one(ConfigEntry, await db.fetchrow(_GET, key))


async def get_value(db: Executor, *, key: str, default: Any = None) -> Any:
    entry = await get(db, key=key)
    return default if entry is None else entry.value


async def list_all(db: Executor, *, limit: int, offset: int = 0) -> Listing[ConfigEntry]:
    return listing(ConfigEntry, await db.fetch(_LIST, limit, offset))


async def count(db: Executor) -> int:
    result: int = await db.fetchval(_COUNT)
    return result


async def set_value(
    db: Executor, *, key: str, value: Any, description: str | None = None
) -> ConfigEntry:
    return ConfigEntry(*await db.fetchrow(_SET, key, value, description))


async def delete(db: Executor, *, key: str) -> bool:
    return await db.fetchval(_DELETE, key) is not None


async def exists(db: Executor, *, key: str) -> bool:
    result: bool = await db.fetchval(_EXISTS, key)
    return result
