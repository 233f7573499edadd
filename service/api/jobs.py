"""The job queue over HTTP, so any worker can take part: enqueue, claim, complete,
fail (retried with back-off until max_attempts), cancel."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, post
from litestar.datastructures import State
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_204_NO_CONTENT,
    HTTP_409_CONFLICT,
)

from service.api.deps import CurrentUser, Db, Paging
from service.api.pages import Cursor
from service.fields import Timestamp, check_finite_times
from service.queries import processing_jobs
from service.queries.processing_jobs import Backoff, Job, JobFilter, JobStatus, NewJob
from service.queries.users import User
from service.settings import Settings

JOBS = Cursor[tuple[datetime, UUID]]("jobs", tuple[datetime, UUID])

JobType = Annotated[
    str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[a-z][a-z0-9_.:-]*$")
]
Worker = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]


class JobIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    job_type: JobType
    entity_type: Annotated[str, msgspec.Meta(min_length=1, max_length=50)] | None = None
    entity_id: UUID | None = None
    session_id: UUID | None = None
    priority: Annotated[int, msgspec.Meta(ge=-1000, le=1000)] = 0
    max_attempts: Annotated[int, msgspec.Meta(ge=1, le=100)] = 3
    run_after: Timestamp | None = None
    payload: dict[str, Any] = {}
    idempotency_key: Annotated[str, msgspec.Meta(min_length=1, max_length=255)] | None = None

    def __post_init__(self) -> None:
        check_finite_times(self)
        if (self.entity_type is None) != (self.entity_id is None):
            raise ValueError("entity_type and entity_id go together: give both or neither")


class ClaimIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    job_types: Annotated[list[JobType], msgspec.Meta(min_length=1, max_length=50)] | None = None
    worker: Worker = "http"


class ClaimBatchIn(ClaimIn, kw_only=True):
    limit: Annotated[int, msgspec.Meta(ge=1, le=100)] = 10


class CompleteIn(msgspec.Struct, forbid_unknown_fields=True):
    result: Any = None


class FailIn(msgspec.Struct, forbid_unknown_fields=True):
    error_message: Annotated[str, msgspec.Meta(min_length=1, max_length=100_000)]
    retry: bool = True


def _not_found(job_id: UUID) -> NotFoundException:
    return NotFoundException(f"job {job_id} not found")


async def _not_running(db: Db, job_id: UUID, user: User, action: str) -> ClientException:
    """Why a job could not be completed, failed or cancelled: 404 or 409."""
    job = await processing_jobs.get_by_id(db, job_id=job_id, user_id=user.id)
    if job is None:
        return _not_found(job_id)
    return ClientException(
        f"cannot {action} job {job_id}: it is {job.status}", status_code=HTTP_409_CONFLICT
    )


async def _claim(db: Db, user: User, settings: Settings, request: ClaimIn, limit: int) -> list[Job]:
    # Recover the caller's jobs whose worker vanished before handing out work.
    await processing_jobs.reclaim_stale(
        db, stale_after_seconds=settings.job_stale_seconds, user_id=user.id
    )
    return await processing_jobs.claim(
        db, user_id=user.id, worker=request.worker, limit=limit, job_types=request.job_types
    )


class JobController(Controller):
    path = "/jobs"
    tags = ["jobs"]

    @post("/", summary="Enqueue (201); a repeated idempotency_key answers 200 with the first job")
    async def enqueue(self, data: JSONBody[JobIn], db: Db, user: CurrentUser) -> Response[Job]:
        job, created = await processing_jobs.enqueue(
            db, user_id=user.id, job=NewJob(**msgspec.structs.asdict(data))
        )
        return Response(job, status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get("/", summary="The caller's jobs, newest first")
    async def list_all(
        self,
        db: Db,
        user: CurrentUser,
        page: Paging,
        status: Annotated[JobStatus | None, QueryParameter()] = None,
        job_type: Annotated[str | None, QueryParameter(max_length=100)] = None,
        session_id: Annotated[UUID | None, QueryParameter()] = None,
    ) -> Response[Sequence[Job]]:
        filters = JobFilter(status=status, job_type=job_type, session_id=session_id)
        found = await processing_jobs.list_by_user(
            db,
            user_id=user.id,
            filters=filters,
            after=page.after(JOBS),
            limit=page.fetch,
            offset=page.offset,
        )
        return page.respond(found, JOBS, lambda j: (j.created_at, j.id))

    @post(
        "/claim",
        status_code=HTTP_200_OK,
        summary="Claim the next ready job (highest priority, then oldest); 204 when none",
    )
    async def claim_next(
        self, db: Db, user: CurrentUser, state: State, data: JSONBody[ClaimIn | None] = None
    ) -> Response[Job | None]:
        claimed = await _claim(db, user, state.settings, data or ClaimIn(), 1)
        if not claimed:
            return Response(None, status_code=HTTP_204_NO_CONTENT)
        return Response(claimed[0])

    @post("/claim-batch", status_code=HTTP_200_OK, summary="Claim up to `limit` ready jobs")
    async def claim_batch(
        self, data: JSONBody[ClaimBatchIn], db: Db, user: CurrentUser, state: State
    ) -> list[Job]:
        return await _claim(db, user, state.settings, data, data.limit)

    @get("/{job_id:uuid}")
    async def get_one(self, job_id: FromPath[UUID], db: Db, user: CurrentUser) -> Job:
        found = await processing_jobs.get_by_id(db, job_id=job_id, user_id=user.id)
        if found is None:
            raise _not_found(job_id)
        return found

    @post("/{job_id:uuid}/complete", status_code=HTTP_200_OK, summary="Finish a running job")
    async def complete(
        self,
        job_id: FromPath[UUID],
        db: Db,
        user: CurrentUser,
        data: JSONBody[CompleteIn | None] = None,
    ) -> Job:
        result = data.result if data is not None else None
        done = await processing_jobs.complete(db, job_id=job_id, user_id=user.id, result=result)
        if done is None:
            raise await _not_running(db, job_id, user, "complete")
        return done

    @post(
        "/{job_id:uuid}/fail",
        status_code=HTTP_200_OK,
        summary="Report a failure: requeued with exponential back-off until max_attempts",
    )
    async def fail(
        self,
        job_id: FromPath[UUID],
        data: JSONBody[FailIn],
        db: Db,
        user: CurrentUser,
        state: State,
    ) -> Job:
        settings: Settings = state.settings
        failed = await processing_jobs.fail(
            db,
            job_id=job_id,
            user_id=user.id,
            error_message=data.error_message,
            backoff=Backoff(settings.job_backoff_seconds, settings.job_backoff_max_seconds),
            retry=data.retry,
        )
        if failed is None:
            raise await _not_running(db, job_id, user, "fail")
        return failed

    @post(
        "/{job_id:uuid}/cancel", status_code=HTTP_200_OK, summary="Cancel a queued or running job"
    )
    async def cancel(self, job_id: FromPath[UUID], db: Db, user: CurrentUser) -> Job:
        cancelled = await processing_jobs.cancel(db, job_id=job_id, user_id=user.id)
        if cancelled is None:
            raise await _not_running(db, job_id, user, "cancel")
        return cancelled

    @delete("/{job_id:uuid}")
    async def remove(self, job_id: FromPath[UUID], db: Db, user: CurrentUser) -> None:
        if not await processing_jobs.delete(db, job_id=job_id, user_id=user.id):
            raise _not_found(job_id)
