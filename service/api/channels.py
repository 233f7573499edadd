"""YouTube channels a user follows, each listed with its number of videos."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import UNSET, UnsetType

from service.api.created import created
from service.api.deps import CurrentUser, Db, Paging
from service.api.pages import Cursor
from service.api.patching import split
from service.fields import ChannelName, LongText, YoutubeChannelId
from service.queries import channels
from service.queries.channels import Channel, ChannelStatus

CHANNELS = Cursor[tuple[datetime, UUID]]("channels", tuple[datetime, UUID])

Description = LongText


class ChannelIn(msgspec.Struct, forbid_unknown_fields=True):
    youtube_channel_id: YoutubeChannelId
    name: ChannelName
    description: Description | None = None
    status: ChannelStatus = "active"
    metadata: dict[str, Any] = {}
    processing_config: dict[str, Any] = {}


class ChannelPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: ChannelName | UnsetType = UNSET
    description: Description | UnsetType | None = UNSET
    status: ChannelStatus | UnsetType = UNSET
    metadata: dict[str, Any] | UnsetType = UNSET
    processing_config: dict[str, Any] | UnsetType = UNSET


def _not_found(channel_id: UUID) -> NotFoundException:
    return NotFoundException(f"channel {channel_id} not found")


class ChannelController(Controller):
    path = "/channels"
    tags = ["channels"]

    @post("/", summary="Follow a channel")
    async def create_one(
        self, data: JSONBody[ChannelIn], db: Db, user: CurrentUser
    ) -> Response[Channel]:
        """Adds a channel of the caller's, `active` unless `status` says otherwise, with
        `video_count` 0. Following the same `youtube_channel_id` twice is 409."""
        channel = await channels.create(
            db,
            user_id=user.id,
            youtube_channel_id=data.youtube_channel_id,
            name=data.name,
            description=data.description,
            status=data.status,
            metadata=data.metadata,
            processing_config=data.processing_config,
        )
        return created(channel, f"/channels/{channel.id}")

    @get("/", summary="The caller's channels with their video counts, newest first")
    async def list_all(
        self,
        db: Db,
        user: CurrentUser,
        page: Paging,
        status: Annotated[ChannelStatus | None, QueryParameter()] = None,
    ) -> Response[Sequence[Channel]]:
        """Newest first, optionally only one `status`; each `video_count` is counted as it is read.
        Pages by `limit` and `offset`, or `after` (the cursor in `Link: rel="next"`);
        `X-Total-Count` is exact up to 10,000 (see `X-Total-Count-Exact`)."""
        found = await channels.list_by_user(
            db,
            user_id=user.id,
            status=status,
            after=page.after(CHANNELS),
            limit=page.fetch,
            offset=page.offset,
        )
        return page.respond(found, CHANNELS, lambda c: (c.created_at, c.id))

    @get("/{channel_id:uuid}", summary="A channel with its video count")
    async def get_one(self, channel_id: FromPath[UUID], db: Db, user: CurrentUser) -> Channel:
        """The caller's channel, its `video_count` counted now. Another user's id is 404, like a
        missing one."""
        found = await channels.get_by_id(db, channel_id=channel_id, user_id=user.id)
        if found is None:
            raise _not_found(channel_id)
        return found

    @patch("/{channel_id:uuid}", summary="Edit a channel")
    async def update_one(
        self, channel_id: FromPath[UUID], data: JSONBody[ChannelPatch], db: Db, user: CurrentUser
    ) -> Channel:
        """A key left out leaves its field alone; `description: null` clears it, and `null` for any
        other field is 400. `youtube_channel_id` cannot change, and a new `name` does not rename the
        `channel_name` its videos took."""
        values, cleared = split(data)
        updated = await channels.update(
            db, channel_id=channel_id, user_id=user.id, cleared=cleared, **values
        )
        if updated is None:
            raise _not_found(channel_id)
        return updated

    @post("/{channel_id:uuid}/pause", status_code=200, summary="Stop processing a channel")
    async def pause(self, channel_id: FromPath[UUID], db: Db, user: CurrentUser) -> Channel:
        """Sets `status` to `paused` whatever it was and answers the channel; repeating it changes
        nothing. The status is stored and filtered on: no endpoint acts on it."""
        return await self._set_status(db, user.id, channel_id, "paused")

    @post("/{channel_id:uuid}/resume", status_code=200, summary="Process a channel again")
    async def resume(self, channel_id: FromPath[UUID], db: Db, user: CurrentUser) -> Channel:
        """Sets `status` to `active` whatever it was, `inactive` included, and answers the channel;
        repeating it changes nothing."""
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
        """Deletes the channel together with its videos and, through them, their transcripts and
        chunks."""
        if not await channels.delete(db, channel_id=channel_id, user_id=user.id):
            raise _not_found(channel_id)
