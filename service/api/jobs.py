"""The job queue over HTTP, so any worker can take part: enqueue, claim, complete,
fail (retried with back-off until max_attempts), cancel."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.exceptions import ClientException, NotFoundException
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_204_NO_CONTENT,
    HTTP_409_CONFLICT,
)
from msgspec import UNSET, UnsetType

from service.api.created import created
from service.api.deps import CurrentUser, Db, Paging
from service.api.pages import Cursor
from service.api.patching import split
from service.fields import END, Timestamp, check_finite_times
from service.queries import processing_jobs
from service.queries.generated import processing_jobs as job_columns
from service.queries.processing_jobs import Backoff, Job, JobFilter, JobStatus, NewJob
from service.queries.users import User
from service.settings import Settings

JOBS = Cursor[tuple[datetime, UUID]]("jobs", tuple[datetime, UUID])

JobType = Annotated[
    job_columns.JobType, msgspec.Meta(min_length=1, pattern=rf"^[a-z][a-z0-9_.:-]*{END}")
]
Worker = Annotated[job_columns.LockedBy, msgspec.Meta(min_length=1)]
Priority = Annotated[int, msgspec.Meta(ge=-1000, le=1000, description="higher runs first")]
MaxAttempts = Annotated[int, msgspec.Meta(ge=1, le=100)]


class JobIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    job_type: JobType
    entity_type: Annotated[job_columns.EntityType, msgspec.Meta(min_length=1)] | None = None
    entity_id: UUID | None = None
    session_id: UUID | None = None
    priority: Priority = 0
    max_attempts: MaxAttempts = 3
    run_after: Timestamp | None = None
    payload: dict[str, Any] = {}
    idempotency_key: Annotated[job_columns.IdempotencyKey, msgspec.Meta(min_length=1)] | None = None

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


class JobPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Only a queued job can change (409 otherwise)."""

    priority: Priority | UnsetType = UNSET
    max_attempts: MaxAttempts | UnsetType = UNSET
    run_after: Timestamp | UnsetType = UNSET
    payload: dict[str, Any] | UnsetType = UNSET

    def __post_init__(self) -> None:
        check_finite_times(self)


def _not_found(job_id: UUID) -> NotFoundException:
    return NotFoundException(f"job {job_id} not found")


async def _not_running(
    db: Db, job_id: UUID, user: User, action: str, why: str | None = None
) -> ClientException:
    """Why a job could not be changed, completed, failed or cancelled: 404 or 409."""
    job = await processing_jobs.get_by_id(db, job_id=job_id, user_id=user.id)
    if job is None:
        return _not_found(job_id)
    reason = f" ({why})" if why else ""
    return ClientException(
        f"cannot {action} job {job_id}: it is {job.status}{reason}",
        status_code=HTTP_409_CONFLICT,
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

    @post(
        "/",
        summary="Enqueue (201); a repeated idempotency_key answers 200 with the first job",
        responses={200: ResponseSpec(Job, description="The job this idempotency_key made")},
    )
    async def enqueue(self, data: JSONBody[JobIn], db: Db, user: CurrentUser) -> Response[Job]:
        """Queues a job of the caller's, ready from `run_after` (default now). A `session_id` must
        name a processing session of the caller's (404), whose counters then include the job. An
        `idempotency_key` the caller has used before queues nothing: the answer is 200 with the
        key's first job, whatever the rest of the body says."""
        job, new = await processing_jobs.enqueue(
            db, user_id=user.id, job=NewJob(**msgspec.structs.asdict(data))
        )
        return created(job, f"/jobs/{job.id}", new=new)

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
        """Newest first; `status`, `job_type` and `session_id` narrow it and combine. Pages by
        `limit` and `offset`, or `after` (the cursor in `Link: rel="next"`); `X-Total-Count` is
        exact up to 10,000 (see `X-Total-Count-Exact`)."""
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
        responses={204: ResponseSpec(None, description="No job is ready")},
    )
    async def claim_next(
        self, db: Db, user: CurrentUser, state: State, data: JSONBody[ClaimIn | None] = None
    ) -> Response[Job | None]:
        """First requeues the caller's running jobs locked longer than the stale limit (10 minutes
        by default; on their last attempt they fail instead). Then marks the next ready job
        `running` for `worker` and counts an attempt: queued with `run_after` passed, highest
        `priority` first, then earliest `run_after`; only the caller's jobs, optionally only
        `job_types`. Concurrent claims never get the same job."""
        claimed = await _claim(db, user, state.settings, data or ClaimIn(), 1)
        if not claimed:
            return Response(None, status_code=HTTP_204_NO_CONTENT)
        return Response(claimed[0])

    @post("/claim-batch", status_code=HTTP_200_OK, summary="Claim up to `limit` ready jobs")
    async def claim_batch(
        self, data: JSONBody[ClaimBatchIn], db: Db, user: CurrentUser, state: State
    ) -> list[Job]:
        """As POST /jobs/claim, for up to `limit` jobs (default 10) in claim order; an empty list
        when none is ready."""
        return await _claim(db, user, state.settings, data, data.limit)

    @get("/{job_id:uuid}", summary="A job")
    async def get_one(self, job_id: FromPath[UUID], db: Db, user: CurrentUser) -> Job:
        """One of the caller's jobs; another user's id is 404, like a missing one."""
        found = await processing_jobs.get_by_id(db, job_id=job_id, user_id=user.id)
        if found is None:
            raise _not_found(job_id)
        return found

    @patch(
        "/{job_id:uuid}",
        summary="Change a queued job's priority, max_attempts, run_after or payload "
        "(409 once it left the queue)",
    )
    async def update_one(
        self, job_id: FromPath[UUID], data: JSONBody[JobPatch], db: Db, user: CurrentUser
    ) -> Job:
        """Only while the job is `queued` (409 once claimed, finished or cancelled). A key left out
        stays, `null` is 400, and `payload` is replaced whole."""
        values, _ = split(data)
        updated = await processing_jobs.update(db, job_id=job_id, user_id=user.id, **values)
        if updated is None:
            raise await _not_running(db, job_id, user, "change", "only a queued job can change")
        return updated

    @post("/{job_id:uuid}/complete", status_code=HTTP_200_OK, summary="Finish a running job")
    async def complete(
        self,
        job_id: FromPath[UUID],
        db: Db,
        user: CurrentUser,
        data: JSONBody[CompleteIn | None] = None,
    ) -> Job:
        """Marks a `running` job `completed` with the optional `result` (any JSON), clearing its
        error and lock. Any other status is 409, such as after a cancel or once a stale lock sent it
        back to the queue. Which worker claimed it is not checked."""
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
        """Records `error_message` on a `running` job. With `retry` (the default) and attempts left
        it is queued again after a back-off of 10 s that doubles with each attempt, at most an hour
        (defaults); otherwise it ends `failed`. Any status but running is 409."""
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
        """Marks a queued or running job `cancelled` and drops its lock; a worker still running it
        gets 409 when it completes or fails it. A finished job is 409."""
        cancelled = await processing_jobs.cancel(db, job_id=job_id, user_id=user.id)
        if cancelled is None:
            raise await _not_running(db, job_id, user, "cancel")
        return cancelled

    @delete("/{job_id:uuid}", summary="Delete a job")
    async def remove(self, job_id: FromPath[UUID], db: Db, user: CurrentUser) -> None:
        """Deletes a job in any status, running included; the counters of its processing session
        drop accordingly."""
        if not await processing_jobs.delete(db, job_id=job_id, user_id=user.id):
            raise _not_found(job_id)
