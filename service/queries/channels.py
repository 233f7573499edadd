from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from service.db import TOTAL_CAP, Executor, Listing, listing, one, sql

ChannelStatus = Literal["active", "paused", "inactive"]


class Channel(msgspec.Struct, frozen=True, gc=False):
    id: UUID
    user_id: UUID
    youtube_channel_id: str
    name: str
    description: str | None
    status: str
    metadata: dict[str, Any]
    processing_config: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    video_count: int


_CREATE = sql("channels/create")
_GET_BY_ID = sql("channels/get_by_id")
_GET_BY_YOUTUBE_ID = sql("channels/get_by_youtube_id")
_LIST_BY_USER = sql("channels/list_by_user")
_COUNT_BY_USER = sql("channels/count_by_user")
_EXISTS = sql("channels/exists")
_UPDATE = sql("channels/update")
_DELETE = sql("channels/delete")


async def create(
    db: Executor,
    *,
    user_id: UUID,
    youtube_channel_id: str,
    name: str,
    description: str | None = None,
    status: ChannelStatus = "active",
    metadata: dict[str, Any] | None = None,
    processing_config: dict[str, Any] | None = None,
) -> Channel:
    row = await db.fetchrow(
        _CREATE, user_id, youtube_channel_id, name, description, status,
        metadata or {}, processing_config or {},
    )  # fmt: skip
    return Channel(*row)


async def get_by_id(db: Executor, *, channel_id: UUID, user_id: UUID) -> Channel | None:
    return one(Channel, await db.fetchrow(_GET_BY_ID, channel_id, user_id))


async def get_by_youtube_id(
    db: Executor, *, user_id: UUID, youtube_channel_id: str
) -> Channel | None:
    return one(Channel, await db.fetchrow(_GET_BY_YOUTUBE_ID, user_id, youtube_channel_id))


async def list_by_user(
    db: Executor,
    *,
    user_id: UUID,
    status: ChannelStatus | None = None,
    after: tuple[datetime, UUID] | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[Channel]:
    """Newest first, each with its video count; `after` is the (created_at, id) of
    the previous page's last row."""
    created_at, channel_id = after or (None, None)
    rows = await db.fetch(
        _LIST_BY_USER, user_id, status, TOTAL_CAP, created_at, channel_id, limit, offset
    )
    return listing(Channel, rows, cap=TOTAL_CAP)


async def count_by_user(db: Executor, *, user_id: UUID, status: ChannelStatus | None = None) -> int:
    result: int = await db.fetchval(_COUNT_BY_USER, user_id, status)
    return result


async def exists(db: Executor, *, channel_id: UUID, user_id: UUID) -> bool:
    result: bool = await db.fetchval(_EXISTS, channel_id, user_id)
    return result


async def update(
    db: Executor,
    *,
    channel_id: UUID,
    user_id: UUID,
    name: str | None = None,
    description: str | None = None,
    status: ChannelStatus | None = None,
    metadata: dict[str, Any] | None = None,
    processing_config: dict[str, Any] | None = None,
    cleared: Sequence[str] = (),
) -> Channel | None:
    """None leaves a field as it is; the columns named in `cleared` become NULL."""
    row = await db.fetchrow(
        _UPDATE, channel_id, user_id, name, description, status, metadata, processing_config,
        list(cleared),
    )  # fmt: skip
    return one(Channel, row)


async def delete(db: Executor, *, channel_id: UUID, user_id: UUID) -> bool:
    """Deletes the channel and, by cascade, its videos."""
    return await db.fetchval(_DELETE, channel_id, user_id) is not None
