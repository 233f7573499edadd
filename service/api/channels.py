"""YouTube channels a user follows, each listed with its number of videos."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody, QueryParameter

from service.api.deps import CurrentUser, Db, Paging
from service.api.pages import Cursor
from service.fields import LongText, Name, YoutubeChannelId
from service.queries import channels
from service.queries.channels import Channel, ChannelStatus

CHANNELS = Cursor[tuple[datetime, UUID]]("channels", tuple[datetime, UUID])

Description = LongText


class ChannelIn(msgspec.Struct, forbid_unknown_fields=True):
    youtube_channel_id: YoutubeChannelId
    name: Name
    description: Description | None = None
    status: ChannelStatus = "active"
    metadata: dict[str, Any] = {}
    processing_config: dict[str, Any] = {}


class ChannelPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    description: Description | None = None
    status: ChannelStatus | None = None
    metadata: dict[str, Any] | None = None
    processing_config: dict[str, Any] | None = None


def _not_found(channel_id: UUID) -> NotFoundException:
    return NotFoundException(f"channel {channel_id} not found")


class ChannelController(Controller):
    path = "/channels"
    tags = ["channels"]

    @post("/", summary="Follow a channel")
    async def create_one(self, data: JSONBody[ChannelIn], db: Db, user: CurrentUser) -> Channel:
        return await channels.create(
            db,
            user_id=user.id,
            youtube_channel_id=data.youtube_channel_id,
            name=data.name,
            description=data.description,
            status=data.status,
            metadata=data.metadata,
            processing_config=data.processing_config,
        )

    @get("/", summary="The caller's channels with their video counts, newest first")
    async def list_all(
        self,
        db: Db,
        user: CurrentUser,
        page: Paging,
        status: Annotated[ChannelStatus | None, QueryParameter()] = None,
    ) -> Response[Sequence[Channel]]:
        found = await channels.list_by_user(
            db,
            user_id=user.id,
            status=status,
            after=page.after(CHANNELS),
            limit=page.fetch,
            offset=page.offset,
        )
        return page.respond(found, CHANNELS, lambda c: (c.created_at, c.id))

    @get("/{channel_id:uuid}")
    async def get_one(self, channel_id: FromPath[UUID], db: Db, user: CurrentUser) -> Channel:
        found = await channels.get_by_id(db, channel_id=channel_id, user_id=user.id)
        if found is None:
            raise _not_found(channel_id)
        return found

    @patch("/{channel_id:uuid}")
    async def update_one(
        self, channel_id: FromPath[UUID], data: JSONBody[ChannelPatch], db: Db, user: CurrentUser
    ) -> Channel:
        updated = await channels.update(
            db,
            channel_id=channel_id,
            user_id=user.id,
            name=data.name,
            description=data.description,
            status=data.status,
            metadata=data.metadata,
            processing_config=data.processing_config,
        )
        if updated is None:
            raise _not_found(channel_id)
        return updated

    @post("/{channel_id:uuid}/pause", status_code=200, summary="Stop processing a channel")
    async def pause(self, channel_id: FromPath[UUID], db: Db, user: CurrentUser) -> Channel:
        return await self._set_status(db, user.id, channel_id, "paused")

    @post("/{channel_id:uuid}/resume", status_code=200, summary="Process a channel again")
    async def resume(self, channel_id: FromPath[UUID], db: Db, user: CurrentUser) -> Channel:
        return await self._set_status(db, user.id, channel_id, "active")

    @staticmethod
    async def _set_status(
        db: Db, user_id: UUID, channel_id: UUID, status: ChannelStatus
    ) -> Channel:
        updated = await channels.update(db, channel_id=channel_id, user_id=user_id, status=status)
        if updated is None:
            raise _not_found(channel_id)
        return updated

    @delete("/{channel_id:uuid}", summary="Delete a channel and its videos")
    async def remove(self, channel_id: FromPath[UUID], db: Db, user: CurrentUser) -> None:
        if not await channels.delete(db, channel_id=channel_id, user_id=user.id):
            raise _not_found(channel_id)
