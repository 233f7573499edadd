"""The personal video library: add by YouTube id, filter, favorite, and the download
lifecycle discovered → queued → downloading → processing → completed | failed."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post, put
from litestar.exceptions import NotFoundException
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK
from msgspec import UNSET, UnsetType

from service.api.created import created
from service.api.deps import READ_PAGE, CurrentUser, Db, Paging, ReadDb
from service.api.pages import Cursor
from service.api.patching import split
from service.fields import YOUTUBE_VIDEO_ID, LongText, Tags, YoutubeVideoId
from service.queries import videos
from service.queries.videos import NO_DETAILS, Video, VideoDetails, VideoFilter, VideoStatus

VIDEOS = Cursor[tuple[datetime, UUID]]("videos", tuple[datetime, UUID])


class VideoIn(VideoDetails, frozen=True, kw_only=True):
    youtube_video_id: YoutubeVideoId


class VideoPatch(VideoDetails, frozen=True, kw_only=True):
    """Null clears a field; tags and is_favorite always have a value."""

    tags: Tags | UnsetType = UNSET
    is_favorite: bool | UnsetType = UNSET
    status: VideoStatus | UnsetType = UNSET
    file_size_bytes: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)] | UnsetType | None = UNSET
    error_message: LongText | UnsetType | None = UNSET


def _not_found(video_id: UUID | str) -> NotFoundException:
    return NotFoundException(f"video {video_id} not found")


class VideoController(Controller):
    path = "/videos"
    tags = ["videos"]

    @post("/", summary="Add a video (409 if the caller has this YouTube id already)")
    async def create_one(
        self, data: JSONBody[VideoIn], db: Db, user: CurrentUser
    ) -> Response[Video]:
        """Adds a video to the caller's library in status `discovered`. A `channel_id` must be one
        of the caller's channels (404); without a `channel_name` the video takes the channel's name.
        PUT /videos/by-youtube-id/{youtube_video_id} adds idempotently instead."""
        video = await videos.create(
            db, user_id=user.id, youtube_video_id=data.youtube_video_id, fields=data
        )
        return created(video, f"/videos/{video.id}")

    @put(
        "/by-youtube-id/{youtube_video_id:str}",
        summary="Idempotent add: 201 with a new video, 200 with the one the caller has",
        responses={201: ResponseSpec(Video, description="Added: the caller had no such video")},
    )
    async def add_by_youtube_id(
        self,
        youtube_video_id: Annotated[str, PathParameter(pattern=YOUTUBE_VIDEO_ID)],
        db: Db,
        user: CurrentUser,
        data: JSONBody[VideoDetails | None] = None,
    ) -> Response[Video]:
        """201 with a new video, made from the optional body as in POST /videos; or 200 with the
        caller's existing video, left as it is (the body is then ignored)."""
        details = data if data is not None else NO_DETAILS
        video, new = await videos.add(
            db, user_id=user.id, youtube_video_id=youtube_video_id, fields=details
        )
        return created(video, f"/videos/{video.id}", new=new)

    @get("/by-youtube-id/{youtube_video_id:str}", summary="The caller's video with this YouTube id")
    async def get_by_youtube_id(
        self,
        youtube_video_id: Annotated[str, PathParameter(pattern=YOUTUBE_VIDEO_ID)],
        db: Db,
        user: CurrentUser,
    ) -> Video:
        """404 when the caller has no video with this YouTube id."""
        found = await videos.get_by_youtube_id(
            db, user_id=user.id, youtube_video_id=youtube_video_id
        )
        if found is None:
            raise _not_found(youtube_video_id)
        return found

    @get("/", summary="The caller's videos, newest first, filtered", dependencies=READ_PAGE)
    async def list_all(
        self,
        read_db: ReadDb,
        user: CurrentUser,
        page: Paging,
        status: Annotated[VideoStatus | None, QueryParameter()] = None,
        channel_id: Annotated[UUID | None, QueryParameter()] = None,
        is_favorite: Annotated[bool | None, QueryParameter()] = None,
        tag: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Response[Sequence[Video]]:
        """Newest first; `status`, `channel_id`, `is_favorite` and `tag` (one of its tags) narrow it
        and combine. Pages by `limit` and `offset`, or `after` (the cursor in `Link: rel="next"`);
        `X-Total-Count` is exact up to 10,000 (see `X-Total-Count-Exact`)."""
        filters = VideoFilter(
            status=status, channel_id=channel_id, is_favorite=is_favorite, tag=tag
        )
        found = await videos.list_by_user(
            read_db,
            user_id=user.id,
            filters=filters,
            after=page.after(VIDEOS),
            limit=page.fetch,
            offset=page.offset,
        )
        return page.respond(found, VIDEOS, lambda v: (v.created_at, v.id))

    @get("/{video_id:uuid}", summary="A video")
    async def get_one(self, video_id: FromPath[UUID], db: Db, user: CurrentUser) -> Video:
        """A video of the caller's; another user's id is 404, like a missing one."""
        found = await videos.get_by_id(db, video_id=video_id, user_id=user.id)
        if found is None:
            raise _not_found(video_id)
        return found

    @patch(
        "/{video_id:uuid}", summary="Edit a video or move it along its lifecycle (409 if invalid)"
    )
    async def update_one(
        self, video_id: FromPath[UUID], data: JSONBody[VideoPatch], db: Db, user: CurrentUser
    ) -> Video:
        """A key left out stays; `null` clears a field, except `tags`, `is_favorite` and `status`
        (400). `status` goes discovered, queued, downloading, processing, completed; any unfinished
        step may go to failed, and failed back to queued; any other move is 409. `error_message` is
        kept only while the video is failed, and a new `channel_id` brings that channel's name
        unless the request sets another `channel_name`."""
        values, cleared = split(data)
        updated = await videos.update(
            db,
            video_id=video_id,
            user_id=user.id,
            fields=data,
            status=values["status"],
            file_size_bytes=values["file_size_bytes"],
            error_message=values["error_message"],
            cleared=cleared,
        )
        if updated is None:
            raise _not_found(video_id)
        return updated

    @post("/{video_id:uuid}/favorite", status_code=HTTP_200_OK, summary="Mark as favorite")
    async def favorite(self, video_id: FromPath[UUID], db: Db, user: CurrentUser) -> Video:
        """Sets `is_favorite` and answers the video; repeating it changes nothing."""
        return await self._set_favorite(db, user.id, video_id, True)

    @delete("/{video_id:uuid}/favorite", status_code=HTTP_200_OK, summary="Unmark favorite")
    async def unfavorite(self, video_id: FromPath[UUID], db: Db, user: CurrentUser) -> Video:
        """Clears `is_favorite` and answers the video (200, not 204); repeating it changes
        nothing."""
        return await self._set_favorite(db, user.id, video_id, False)

    @staticmethod
    async def _set_favorite(db: Db, user_id: UUID, video_id: UUID, value: bool) -> Video:
        updated = await videos.set_favorite(
            db, video_id=video_id, user_id=user_id, is_favorite=value
        )
        if updated is None:
            raise _not_found(video_id)
        return updated

    @delete("/{video_id:uuid}", summary="Delete a video, its transcripts and chunks")
    async def remove(self, video_id: FromPath[UUID], db: Db, user: CurrentUser) -> None:
        """Deletes the video with its transcripts and their chunks."""
        if not await videos.delete(db, video_id=video_id, user_id=user.id):
            raise _not_found(video_id)
