from typing import Any

import asyncpg
import pytest

from service.db import Listing
from service.queries import config
from service.queries.config import ConfigEntry
from tests.sql.conftest import db_now


async def test_set_value_inserts_a_new_key(db: asyncpg.Connection) -> None:
    entry = await config.set_value(
        db, key="chat.max_tokens", value=4096, description="Upper bound per reply"
    )

    assert entry == ConfigEntry(
        key="chat.max_tokens",
        value=4096,
        description="Upper bound per reply",
        updated_at=await db_now(db),
    )
    assert await config.get(db, key="chat.max_tokens") == entry


async def test_set_value_without_description(db: asyncpg.Connection) -> None:
    entry = await config.set_value(db, key="feature:beta", value=True)

    assert entry.description is None
    assert entry.value is True


@pytest.mark.parametrize(
    "value",
    [
        0,
        -17,
        3.25,
        False,
        "plain text",
        "ünïcödé — 日本語 🎬",
        [],
        [1, "two", None, [3.5]],
        {},
        {"nested": {"list": [1, {"deep": ["x", None]}], "flag": True}, "ключ": "значение"},
    ],
)
async def test_set_value_round_trips_json(db: asyncpg.Connection, value: Any) -> None:
    await config.set_value(db, key="roundtrip", value=value)

    entry = await config.get(db, key="roundtrip")
    assert entry is not None
    assert entry.value == value
    assert type(entry.value) is type(value)


async def test_set_value_replaces_value_and_keeps_description(db: asyncpg.Connection) -> None:
    await config.set_value(db, key="llm.model", value="small", description="Chat model")

    replaced = await config.set_value(db, key="llm.model", value={"name": "large"})

    assert replaced.value == {"name": "large"}
    assert replaced.description == "Chat model"
    assert await config.get(db, key="llm.model") == replaced


async def test_set_value_replaces_description_when_given(db: asyncpg.Connection) -> None:
    await config.set_value(db, key="llm.model", value="small", description="Old")

    replaced = await config.set_value(db, key="llm.model", value="small", description="New")

    assert replaced.description == "New"


async def test_set_value_twice_keeps_one_row(db: asyncpg.Connection) -> None:
    before = await config.count(db)
    await config.set_value(db, key="once", value=1)
    await config.set_value(db, key="once", value=2)

    assert await config.count(db) == before + 1


async def test_set_value_rejects_malformed_key(db: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        async with db.transaction():
            await config.set_value(db, key="has space", value=1)


async def test_get_unknown_returns_none(db: asyncpg.Connection) -> None:
    assert await config.get(db, key="missing.key") is None


async def test_get_value_returns_the_stored_value(db: asyncpg.Connection) -> None:
    await config.set_value(db, key="limits", value={"per_day": 50})

    assert await config.get_value(db, key="limits") == {"per_day": 50}
    assert await config.get_value(db, key="limits", default={"per_day": 1}) == {"per_day": 50}


async def test_get_value_of_unknown_key_returns_default(db: asyncpg.Connection) -> None:
    assert await config.get_value(db, key="missing.key") is None
    assert await config.get_value(db, key="missing.key", default=[1, 2]) == [1, 2]


async def test_get_value_keeps_falsy_values(db: asyncpg.Connection) -> None:
    await config.set_value(db, key="zero", value=0)

    assert await config.get_value(db, key="zero", default=99) == 0


async def test_list_all_orders_by_key(db: asyncpg.Connection) -> None:
    for key in ["zz.last", "aa.first", "mm.middle"]:
        await config.set_value(db, key=key, value=key)

    listed = await config.list_all(db, limit=1000, offset=0)

    keys = [e.key for e in listed.items]
    assert (listed.total, listed.exact) == (len(keys), True)
    assert keys == sorted(keys)
    assert [k for k in keys if k in {"zz.last", "aa.first", "mm.middle"}] == [
        "aa.first",
        "mm.middle",
        "zz.last",
    ]


async def test_list_all_paginates(db: asyncpg.Connection) -> None:
    for i in range(5):
        await config.set_value(db, key=f"page.{i}", value=i)
    everything = (await config.list_all(db, limit=1000, offset=0)).items
    total = len(everything)

    assert await config.list_all(db, limit=2, offset=0) == Listing(everything[:2], total)
    assert await config.list_all(db, limit=2, offset=2) == Listing(everything[2:4], total)
    assert await config.list_all(db, limit=2, offset=total - 1) == Listing(everything[-1:], total)
    assert await config.list_all(db, limit=2, offset=total) == Listing([], total)


async def test_count_matches_list(db: asyncpg.Connection) -> None:
    before = await config.count(db)
    for i in range(3):
        await config.set_value(db, key=f"count.{i}", value=i)

    assert await config.count(db) == before + 3
    listed = await config.list_all(db, limit=1000, offset=0)
    assert len(listed.items) == listed.total == before + 3
    assert (await config.list_all(db, limit=1, offset=0)).total == before + 3


async def test_delete_removes_the_key(db: asyncpg.Connection) -> None:
    await config.set_value(db, key="temp", value="x")

    assert await config.delete(db, key="temp") is True
    assert await config.get(db, key="temp") is None
    assert await config.delete(db, key="temp") is False


async def test_delete_unknown_returns_false(db: asyncpg.Connection) -> None:
    assert await config.delete(db, key="never.set") is False


async def test_exists(db: asyncpg.Connection) -> None:
    await config.set_value(db, key="present", value=False)

    assert await config.exists(db, key="present") is True
    assert await config.exists(db, key="absent") is False
