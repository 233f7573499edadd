"""A job queue in PostgreSQL: enqueue, claim with FOR UPDATE SKIP LOCKED, complete,
fail with exponential back-off, cancel, reclaim jobs whose worker vanished."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from service.db import TOTAL_CAP, Executor, Listing
from service.queries.generated import processing_jobs as generated
from service.queries.generated.processing_jobs import Job as Job

JobStatus = Literal["queued", "running", "completed", "failed", "cancelled"]


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

# cancel: None unless the job is the user's and queued or running. update: None
# leaves a field as it is; None back unless the job is the user's and queued.
get_by_id = generated.get_by_id
cancel = generated.cancel
update = generated.update


async def enqueue(db: Executor, *, user_id: UUID, job: NewJob) -> tuple[Job, bool]:
    """(the job, whether this call created it): a repeated idempotency key returns the
    job the key first made."""
    for _ in range(2):
        found = await generated.enqueue(
            db, user_id=user_id, session_id=job.session_id, job_type=job.job_type,
            entity_type=job.entity_type, entity_id=job.entity_id, priority=job.priority,
            max_attempts=job.max_attempts, run_after=job.run_after, payload=job.payload,
            idempotency_key=job.idempotency_key,
        )  # fmt: skip
        if found is not None:
            return found
        # A concurrent enqueue with the same key committed first: read it.
    raise RuntimeError(f"job with key {job.idempotency_key} was neither inserted nor found")


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
    total, items = await generated.list_by_user(
        db, user_id=user_id, status=f.status, job_type=f.job_type, session_id=f.session_id,
        cap=TOTAL_CAP, after_created_at=created_at, after_id=job_id, limit=limit,
        offset=offset,
    )  # fmt: skip
    return Listing.capped(items, total, TOTAL_CAP)


async def count_by_user(db: Executor, *, user_id: UUID, filters: JobFilter = NO_FILTER) -> int:
    f = filters
    return await generated.count_by_user(
        db, user_id=user_id, status=f.status, job_type=f.job_type, session_id=f.session_id
    )


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
    return await generated.claim(db, user_id=user_id, job_types=types, limit=limit, worker=worker)


async def complete(
    db: Executor, *, job_id: UUID, user_id: UUID, result: Any, worker: str | None = None
) -> Job | None:
    """None unless the job is the user's and running (and, when `worker` is given,
    still held by that worker)."""
    return await generated.complete(
        db, job_id=job_id, user_id=user_id, result=result, worker=worker
    )


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
    return await generated.fail(
        db, job_id=job_id, user_id=user_id, error_message=error_message,
        base_seconds=backoff.base_seconds, max_seconds=backoff.max_seconds, retry=retry,
        worker=worker,
    )  # fmt: skip


async def reclaim_stale(
    db: Executor, *, stale_after_seconds: float, user_id: UUID | None = None
) -> list[Job]:
    """Requeues (or finally fails) running jobs locked longer than the limit; only
    the user's when user_id is given."""
    return await generated.reclaim_stale(
        db, stale_after_seconds=stale_after_seconds, user_id=user_id
    )


delete = generated.delete
keep_locked = generated.keep_locked
is_listening = generated.is_listening
