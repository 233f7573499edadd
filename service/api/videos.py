"""The personal video library: add by YouTube id, filter, favorite, and the download
lifecycle discovered → queued → downloading → processing → completed | failed."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post, put
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service.api.deps import CurrentUser, Db, Paging
from service.api.pages import Cursor
from service.fields import (
    YOUTUBE_VIDEO_ID,
    LongText,
    NonNegativeInt,
    ShortText,
    Tags,
    YoutubeVideoId,
    check_finite_times,
)
from service.queries import videos
from service.queries.videos import Video, VideoFields, VideoFilter, VideoStatus

VIDEOS = Cursor[tuple[datetime, UUID]]("videos", tuple[datetime, UUID])


class VideoDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    channel_id: UUID | None = None
    title: LongText | None = None
    channel_name: ShortText | None = None
    duration_seconds: NonNegativeInt | None = None
    upload_date: date | None = None
    description: LongText | None = None
    tags: Tags | None = None
    is_favorite: bool | None = None

    def __post_init__(self) -> None:
        check_finite_times(self)

    def fields(self) -> VideoFields:
        return VideoFields(**{f: getattr(self, f) for f in VideoFields.__struct_fields__})


class VideoIn(VideoDetails, kw_only=True):
    youtube_video_id: YoutubeVideoId


class VideoPatch(VideoDetails, kw_only=True):
    status: VideoStatus | None = None
    file_size_bytes: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)] | None = None
    error_message: LongText | None = None


def _not_found(video_id: UUID | str) -> NotFoundException:
    return NotFoundException(f"video {video_id} not found")


class VideoController(Controller):
    path = "/videos"
    tags = ["videos"]

    @post("/", summary="Add a video (409 if the caller has this YouTube id already)")
    async def create_one(self, data: JSONBody[VideoIn], db: Db, user: CurrentUser) -> Video:
        return await videos.create(
            db, user_id=user.id, youtube_video_id=data.youtube_video_id, fields=data.fields()
        )

    @put(
        "/by-youtube-id/{youtube_video_id:str}",
        summary="Idempotent add: 201 with a new video, 200 with the one the caller has",
    )
    async def add_by_youtube_id(
        self,
        youtube_video_id: Annotated[str, PathParameter(pattern=YOUTUBE_VIDEO_ID)],
        db: Db,
        user: CurrentUser,
        data: JSONBody[VideoDetails | None] = None,
    ) -> Response[Video]:
        details = data.fields() if data is not None else VideoFields()
        video, created = await videos.add(
            db, user_id=user.id, youtube_video_id=youtube_video_id, fields=details
        )
        return Response(video, status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get("/by-youtube-id/{youtube_video_id:str}")
    async def get_by_youtube_id(
        self,
        youtube_video_id: Annotated[str, PathParameter(pattern=YOUTUBE_VIDEO_ID)],
        db: Db,
        user: CurrentUser,
    ) -> Video:
        found = await videos.get_by_youtube_id(
            db, user_id=user.id, youtube_video_id=youtube_video_id
        )
        if found is None:
            raise _not_found(youtube_video_id)
        return found

    @get("/", summary="The caller's videos, newest first, filtered")
    async def list_all(
        self,
        db: Db,
        user: CurrentUser,
        page: Paging,
        status: Annotated[VideoStatus | None, QueryParameter()] = None,
        channel_id: Annotated[UUID | None, QueryParameter()] = None,
        is_favorite: Annotated[bool | None, QueryParameter()] = None,
        tag: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Response[Sequence[Video]]:
        filters = VideoFilter(
            status=status, channel_id=channel_id, is_favorite=is_favorite, tag=tag
        )
        found = await videos.list_by_user(
            db,
            user_id=user.id,
            filters=filters,
            after=page.after(VIDEOS),
            limit=page.fetch,
            offset=page.offset,
        )
        return page.respond(found, VIDEOS, lambda v: (v.created_at, v.id))

    @get("/{video_id:uuid}")
    async def get_one(self, video_id: FromPath[UUID], db: Db, user: CurrentUser) -> Video:
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
        updated = await videos.update(
            db,
            video_id=video_id,
            user_id=user.id,
            fields=data.fields(),
            status=data.status,
            file_size_bytes=data.file_size_bytes,
            error_message=data.error_message,
        )
        if updated is None:
            raise _not_found(video_id)
        return updated

    @post("/{video_id:uuid}/favorite", status_code=HTTP_200_OK, summary="Mark as favorite")
    async def favorite(self, video_id: FromPath[UUID], db: Db, user: CurrentUser) -> Video:
        return await self._set_favorite(db, user.id, video_id, True)

    @delete("/{video_id:uuid}/favorite", status_code=HTTP_200_OK, summary="Unmark favorite")
    async def unfavorite(self, video_id: FromPath[UUID], db: Db, user: CurrentUser) -> Video:
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
        if not await videos.delete(db, video_id=video_id, user_id=user.id):
            raise _not_found(video_id)
