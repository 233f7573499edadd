"""Batch runs whose progress counters follow their jobs (kept by a trigger)."""

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
from service.fields import NON_BLANK
from service.queries import processing_sessions
from service.queries.generated import processing_sessions as session_columns
from service.queries.processing_sessions import ProcessingSession, SessionStatus

SESSIONS = Cursor[tuple[datetime, UUID]]("processing-sessions", tuple[datetime, UUID])

Name = Annotated[session_columns.Name, NON_BLANK]


class SessionIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    configuration: dict[str, Any] = {}


class SessionPatch(msgspec.Struct, forbid_unknown_fields=True):
    """The status follows the session's jobs by itself; setting one overrides it."""

    name: Name | UnsetType = UNSET
    status: SessionStatus | UnsetType = UNSET
    configuration: dict[str, Any] | UnsetType = UNSET


def _not_found(session_id: UUID) -> NotFoundException:
    return NotFoundException(f"processing session {session_id} not found")


class ProcessingSessionController(Controller):
    path = "/processing-sessions"
    tags = ["jobs"]

    @post("/", summary="Start a batch run; enqueue jobs with its id as session_id")
    async def create_one(
        self, db: Db, user: CurrentUser, data: JSONBody[SessionIn | None] = None
    ) -> Response[ProcessingSession]:
        """Creates an empty `pending` session; the body is optional and `name` defaults to
        "Processing session". Jobs enqueued with its id as `session_id` drive its counters and its
        status."""
        body = data or SessionIn()
        session = await processing_sessions.create(
            db, user_id=user.id, name=body.name, configuration=body.configuration
        )
        return created(session, f"/processing-sessions/{session.id}")

    @get("/", summary="The caller's batch runs, newest first")
    async def list_all(
        self,
        db: Db,
        user: CurrentUser,
        page: Paging,
        status: Annotated[SessionStatus | None, QueryParameter()] = None,
    ) -> Response[Sequence[ProcessingSession]]:
        """Newest first, optionally only one `status`. Pages by `limit` and `offset`, or `after`
        (the cursor in `Link: rel="next"`); `X-Total-Count` is exact up to 10,000 (see
        `X-Total-Count-Exact`)."""
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
        """The database keeps `total_items`, `completed_items` and `failed_items` as the session's
        jobs move (a cancelled job leaves the total). The status follows: `running` once a job runs,
        `completed` or `failed` when every counted job has finished, `cancelled` when none is
        left."""
        found = await processing_sessions.get_by_id(db, session_id=session_id, user_id=user.id)
        if found is None:
            raise _not_found(session_id)
        return found

    @patch(
        "/{session_id:uuid}", summary="Rename, reconfigure or override the status of a batch run"
    )
    async def update_one(
        self, session_id: FromPath[UUID], data: JSONBody[SessionPatch], db: Db, user: CurrentUser
    ) -> ProcessingSession:
        """A key left out stays; `null` is 400. A `status` set here leaves the jobs alone and holds
        only until their next move derives it again (a cancelled session stays cancelled). `running`
        stamps `started_at` if unset; a final status stamps `finished_at`."""
        values, _ = split(data)
        updated = await processing_sessions.update(
            db, session_id=session_id, user_id=user.id, **values
        )
        if updated is None:
            raise _not_found(session_id)
        return updated

    @delete("/{session_id:uuid}", summary="Delete a batch run and its jobs")
    async def remove(self, session_id: FromPath[UUID], db: Db, user: CurrentUser) -> None:
        """Deletes the session and all its jobs, whatever their status."""
        if not await processing_sessions.delete(db, session_id=session_id, user_id=user.id):
            raise _not_found(session_id)
