"""Batch runs whose progress counters follow their jobs (kept by a trigger)."""

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
from service.queries import processing_sessions
from service.queries.processing_sessions import ProcessingSession, SessionStatus

SESSIONS = Cursor[tuple[datetime, UUID]]("processing-sessions", tuple[datetime, UUID])

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255, pattern=r"\S")]


class SessionIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    configuration: dict[str, Any] = {}


class SessionPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    status: SessionStatus | None = None
    configuration: dict[str, Any] | None = None


def _not_found(session_id: UUID) -> NotFoundException:
    return NotFoundException(f"processing session {session_id} not found")


class ProcessingSessionController(Controller):
    path = "/processing-sessions"
    tags = ["jobs"]

    @post("/", summary="Start a batch run; enqueue jobs with its id as session_id")
    async def create_one(
        self, db: Db, user: CurrentUser, data: JSONBody[SessionIn | None] = None
    ) -> ProcessingSession:
        body = data or SessionIn()
        return await processing_sessions.create(
            db, user_id=user.id, name=body.name, configuration=body.configuration
        )

    @get("/", summary="The caller's batch runs, newest first")
    async def list_all(
        self,
        db: Db,
        user: CurrentUser,
        page: Paging,
        status: Annotated[SessionStatus | None, QueryParameter()] = None,
    ) -> Response[Sequence[ProcessingSession]]:
        found = await processing_sessions.list_by_user(
            db,
            user_id=user.id,
            status=status,
            after=page.after(SESSIONS),
            limit=page.fetch,
            offset=page.offset,
        )
        return page.respond(found, SESSIONS, lambda s: (s.created_at, s.id))

    @get("/{session_id:uuid}", summary="A batch run and its progress counters")
    async def get_one(
        self, session_id: FromPath[UUID], db: Db, user: CurrentUser
    ) -> ProcessingSession:
        found = await processing_sessions.get_by_id(db, session_id=session_id, user_id=user.id)
        if found is None:
            raise _not_found(session_id)
        return found

    @patch("/{session_id:uuid}")
    async def update_one(
        self, session_id: FromPath[UUID], data: JSONBody[SessionPatch], db: Db, user: CurrentUser
    ) -> ProcessingSession:
        updated = await processing_sessions.update(
            db,
            session_id=session_id,
            user_id=user.id,
            name=data.name,
            status=data.status,
            configuration=data.configuration,
        )
        if updated is None:
            raise _not_found(session_id)
        return updated

    @delete("/{session_id:uuid}", summary="Delete a batch run and its jobs")
    async def remove(self, session_id: FromPath[UUID], db: Db, user: CurrentUser) -> None:
        if not await processing_sessions.delete(db, session_id=session_id, user_id=user.id):
            raise _not_found(session_id)
