"""A job queue in PostgreSQL: enqueue, claim with FOR UPDATE SKIP LOCKED, complete,
fail with exponential back-off, cancel, reclaim jobs whose worker vanished."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from service.db import TOTAL_CAP, Executor, Listing, listing, many, one, sql

JobStatus = Literal["queued", "running", "completed", "failed", "cancelled"]


class Job(msgspec.Struct, frozen=True, gc=False):
    id: UUID
    user_id: UUID
    session_id: UUID | None
    job_type: str
    entity_type: str | None
    entity_id: UUID | None
    status: str
    priority: int
    attempts: int
    max_attempts: int
    run_after: datetime
    payload: dict[str, Any]
    result: Any | None
    error_message: str | None
    idempotency_key: str | None
    locked_by: str | None
    locked_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    updated_at: datetime


class NewJob(msgspec.Struct, frozen=True, kw_only=True):
    job_type: str
    entity_type: str | None = None
    entity_id: UUID | None = None
    session_id: UUID | None = None
    priority: int = 0
    max_attempts: int = 3
    run_after: datetime | None = None
    payload: dict[str, Any] = {}
    idempotency_key: str | None = None


class Backoff(msgspec.Struct, frozen=True):
    """Seconds before the first retry, doubling with each attempt, capped."""

    base_seconds: float
    max_seconds: float


class JobFilter(msgspec.Struct, frozen=True, kw_only=True):
    status: JobStatus | None = None
    job_type: str | None = None
    session_id: UUID | None = None


NO_FILTER = JobFilter()

_ENQUEUE = sql("processing_jobs/enqueue")
_GET_BY_ID = sql("processing_jobs/get_by_id")
_LIST_BY_USER = sql("processing_jobs/list_by_user")
_COUNT_BY_USER = sql("processing_jobs/count_by_user")
_CLAIM = sql("processing_jobs/claim")
_COMPLETE = sql("processing_jobs/complete")
_FAIL = sql("processing_jobs/fail")
_CANCEL = sql("processing_jobs/cancel")
_RECLAIM_STALE = sql("processing_jobs/reclaim_stale")
_UPDATE = sql("processing_jobs/update")
_DELETE = sql("processing_jobs/delete")


async def enqueue(db: Executor, *, user_id: UUID, job: NewJob) -> tuple[Job, bool]:
    """(the job, whether this call created it): a repeated idempotency key returns the
    job the key first made."""
    args = (
        user_id, job.session_id, job.job_type, job.entity_type, job.entity_id,
        job.priority, job.max_attempts, job.run_after, job.payload, job.idempotency_key,
    )  # fmt: skip
    row = await db.fetchrow(_ENQUEUE, *args)
    if row is None:  # a concurrent enqueue with the same key committed first
        row = await db.fetchrow(_ENQUEUE, *args)
    return Job(*row[:-1]), row[-1]


async def get_by_id(db: Executor, *, job_id: UUID, user_id: UUID) -> Job | None:
    return one(Job, await db.fetchrow(_GET_BY_ID, job_id, user_id))


async def list_by_user(
    db: Executor,
    *,
    user_id: UUID,
    filters: JobFilter = NO_FILTER,
    after: tuple[datetime, UUID] | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[Job]:
    """Newest first; `after` is the (created_at, id) of the previous page's last row."""
    f = filters
    created_at, job_id = after or (None, None)
    rows = await db.fetch(
        _LIST_BY_USER, user_id, f.status, f.job_type, f.session_id, TOTAL_CAP, created_at,
        job_id, limit, offset,
    )  # fmt: skip
    return listing(Job, rows, cap=TOTAL_CAP)


async def count_by_user(db: Executor, *, user_id: UUID, filters: JobFilter = NO_FILTER) -> int:
    f = filters
    result: int = await db.fetchval(_COUNT_BY_USER, user_id, f.status, f.job_type, f.session_id)
    return result


async def claim(
    db: Executor,
    *,
    user_id: UUID | None,
    worker: str,
    limit: int = 1,
    job_types: Sequence[str] | None = None,
) -> list[Job]:
    """Marks up to `limit` ready jobs running for `worker` and returns them, highest
    priority first. user_id None claims any user's jobs (the built-in worker)."""
    types = list(job_types) if job_types else None
    return many(Job, await db.fetch(_CLAIM, user_id, types, limit, worker))


async def complete(
    db: Executor, *, job_id: UUID, user_id: UUID, result: Any, worker: str | None = None
) -> Job | None:
    """None unless the job is the user's and running (and, when `worker` is given,
    still held by that worker)."""
    return one(Job, await db.fetchrow(_COMPLETE, job_id, user_id, result, worker))


async def fail(
    db: Executor,
    *,
    job_id: UUID,
    user_id: UUID,
    error_message: str,
    backoff: Backoff,
    retry: bool = True,
    worker: str | None = None,
) -> Job | None:
    """Requeues with back-off, or fails for good after max_attempts (or at once when
    retry is False). None unless the job is the user's and running (and, when
    `worker` is given, still held by that worker)."""
    row = await db.fetchrow(
        _FAIL, job_id, user_id, error_message, backoff.base_seconds, backoff.max_seconds,
        retry, worker,
    )  # fmt: skip
    return one(Job, row)


async def cancel(db: Executor, *, job_id: UUID, user_id: UUID) -> Job | None:
    """None unless the job is the user's and queued or running."""
    return one(Job, await db.fetchrow(_CANCEL, job_id, user_id))


async def update(
    db: Executor,
    *,
    job_id: UUID,
    user_id: UUID,
    priority: int | None = None,
    max_attempts: int | None = None,
    run_after: datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> Job | None:
    """None leaves a field as it is. None back unless the job is the user's and queued."""
    row = await db.fetchrow(_UPDATE, job_id, user_id, priority, max_attempts, run_after, payload)
    return one(Job, row)


async def reclaim_stale(
    db: Executor, *, stale_after_seconds: float, user_id: UUID | None = None
) -> list[Job]:
    """Requeues (or finally fails) running jobs locked longer than the limit; only
    the user's when user_id is given."""
    return many(Job, await db.fetch(_RECLAIM_STALE, stale_after_seconds, user_id))


async def delete(db: Executor, *, job_id: UUID, user_id: UUID) -> bool:
    return await db.fetchval(_DELETE, job_id, user_id) is not None
