from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from service.db import TOTAL_CAP, Executor, Listing
from service.queries.generated import channels as generated
from service.queries.generated.channels import Channel as Channel

ChannelStatus = Literal["active", "paused", "inactive"]

get_by_id = generated.get_by_id
get_by_youtube_id = generated.get_by_youtube_id
count_by_user = generated.count_by_user
exists = generated.exists


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
    return await generated.create(
        db, user_id=user_id, youtube_channel_id=youtube_channel_id, name=name,
        description=description, status=status, metadata=metadata or {},
        processing_config=processing_config or {},
    )  # fmt: skip


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
    total, items = await generated.list_by_user(
        db, user_id=user_id, status=status, cap=TOTAL_CAP, after_created_at=created_at,
        after_id=channel_id, limit=limit, offset=offset,
    )  # fmt: skip
    return Listing.capped(items, total, TOTAL_CAP)


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
    return await generated.update(
        db, channel_id=channel_id, user_id=user_id, name=name, description=description,
        status=status, metadata=metadata, processing_config=processing_config,
        cleared=list(cleared),
    )  # fmt: skip


# Deletes the channel and, by cascade, its videos.
delete = generated.delete
