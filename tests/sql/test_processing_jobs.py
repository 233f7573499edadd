import asyncio
import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import msgspec
import pytest

from service.db import Listing, connect
from service.queries import processing_jobs, processing_sessions, users
from service.queries.processing_jobs import Backoff, Job, JobFilter, NewJob
from tests.sql.conftest import PASSWORD_HASH, db_now
from tests.sql.library_fixtures import add_job

BACKOFF = Backoff(base_seconds=10, max_seconds=3600)


async def reload(db: asyncpg.Connection, job: Job) -> Job:
    fresh = await processing_jobs.get_by_id(db, job_id=job.id, user_id=job.user_id)
    assert fresh is not None
    return fresh


async def claim(
    db: asyncpg.Connection, user: users.User | None, limit: int = 1, **kwargs: Any
) -> list[Job]:
    return await processing_jobs.claim(
        db, user_id=user.id if user else None, worker="worker-1", limit=limit, **kwargs
    )


async def make_due(db: asyncpg.Connection, job: Job) -> None:
    """Inside one transaction now() stands still: a back-off never expires by waiting."""
    await db.execute("UPDATE processing_jobs SET run_after = now() WHERE id = $1", job.id)


async def fail(db: asyncpg.Connection, job: Job, backoff: Backoff = BACKOFF) -> Job:
    failed = await processing_jobs.fail(
        db, job_id=job.id, user_id=job.user_id, error_message="boom", backoff=backoff
    )
    assert failed is not None
    return failed


# enqueue


async def test_enqueue_with_defaults(db: asyncpg.Connection, alice: users.User) -> None:
    job, created = await processing_jobs.enqueue(
        db, user_id=alice.id, job=NewJob(job_type="transcribe")
    )

    now = await db_now(db)
    assert created is True
    assert isinstance(job, Job)
    assert job.user_id == alice.id
    assert job.job_type == "transcribe"
    assert job.status == "queued"
    assert (job.priority, job.attempts, job.max_attempts) == (0, 0, 3)
    assert job.run_after == now
    assert job.payload == {}
    assert job.result is None
    assert job.session_id is None
    assert (job.entity_type, job.entity_id) == (None, None)
    assert (job.locked_by, job.locked_at, job.started_at, job.finished_at) == (
        None,
        None,
        None,
        None,
    )


async def test_enqueue_round_trips_every_field(db: asyncpg.Connection, alice: users.User) -> None:
    session = await processing_sessions.create(db, user_id=alice.id)
    entity = uuid.uuid4()
    later = await db_now(db) + timedelta(minutes=5)
    payload = {"video": "dQw4w9WgXcQ", "options": {"lang": ["en"], "beam": 5}}

    job, _ = await processing_jobs.enqueue(
        db,
        user_id=alice.id,
        job=NewJob(
            job_type="video.download:v2",
            entity_type="video",
            entity_id=entity,
            session_id=session.id,
            priority=7,
            max_attempts=10,
            run_after=later,
            payload=payload,
            idempotency_key="download-dQw4w9WgXcQ",
        ),
    )

    assert (job.job_type, job.entity_type, job.entity_id, job.session_id) == (
        "video.download:v2",
        "video",
        entity,
        session.id,
    )
    assert (job.priority, job.max_attempts, job.run_after) == (7, 10, later)
    assert job.payload == payload
    assert job.idempotency_key == "download-dQw4w9WgXcQ"
    assert await reload(db, job) == job


async def test_enqueue_with_the_same_key_returns_the_first_job(
    db: asyncpg.Connection, alice: users.User
) -> None:
    first, first_created = await processing_jobs.enqueue(
        db,
        user_id=alice.id,
        job=NewJob(job_type="transcribe", payload={"n": 1}, idempotency_key="same"),
    )
    second, second_created = await processing_jobs.enqueue(
        db,
        user_id=alice.id,
        job=NewJob(job_type="transcribe", payload={"n": 2}, idempotency_key="same"),
    )

    assert (first_created, second_created) == (True, False)
    assert second == first
    assert second.payload == {"n": 1}
    assert await processing_jobs.count_by_user(db, user_id=alice.id) == 1


async def test_idempotency_keys_are_per_user(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    mine, _ = await processing_jobs.enqueue(
        db, user_id=alice.id, job=NewJob(job_type="t", idempotency_key="k")
    )

    theirs, created = await processing_jobs.enqueue(
        db, user_id=bob.id, job=NewJob(job_type="t", idempotency_key="k")
    )

    assert created is True
    assert theirs.id != mine.id
    assert theirs.user_id == bob.id


async def test_enqueue_without_a_key_makes_a_new_job_each_time(
    db: asyncpg.Connection, alice: users.User
) -> None:
    job = NewJob(job_type="transcribe")

    first, first_created = await processing_jobs.enqueue(db, user_id=alice.id, job=job)
    second, second_created = await processing_jobs.enqueue(db, user_id=alice.id, job=job)

    assert first_created and second_created
    assert first.id != second.id
    assert await processing_jobs.count_by_user(db, user_id=alice.id) == 2


@pytest.mark.parametrize(("entity_type", "entity_id"), [("video", None), (None, uuid.UUID(int=1))])
async def test_entity_needs_both_type_and_id(
    db: asyncpg.Connection, alice: users.User, entity_type: str | None, entity_id: uuid.UUID | None
) -> None:
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await add_job(db, alice, entity_type=entity_type, entity_id=entity_id)
    assert caught.value.constraint_name == "processing_jobs_entity_pair"


@pytest.mark.parametrize("job_type", ["Transcribe", "1job", "has space", "", "_x", "ünï", "a/b"])
async def test_job_type_format(db: asyncpg.Connection, alice: users.User, job_type: str) -> None:
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await add_job(db, alice, job_type)
    assert caught.value.constraint_name == "processing_jobs_job_type_format"


@pytest.mark.parametrize("job_type", ["a", "transcribe", "video.download:v2", "x_1-y"])
async def test_job_type_format_accepts(
    db: asyncpg.Connection, alice: users.User, job_type: str
) -> None:
    assert (await add_job(db, alice, job_type)).job_type == job_type


@pytest.mark.parametrize("max_attempts", [0, -1, 101])
async def test_max_attempts_range(
    db: asyncpg.Connection, alice: users.User, max_attempts: int
) -> None:
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await add_job(db, alice, max_attempts=max_attempts)
    assert caught.value.constraint_name == "processing_jobs_attempts_range"


@pytest.mark.parametrize("max_attempts", [1, 100])
async def test_max_attempts_bounds_are_accepted(
    db: asyncpg.Connection, alice: users.User, max_attempts: int
) -> None:
    assert (await add_job(db, alice, max_attempts=max_attempts)).max_attempts == max_attempts


# get / list / count / delete


async def test_get_of_another_user_or_unknown_is_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    job = await add_job(db, alice)

    assert await processing_jobs.get_by_id(db, job_id=job.id, user_id=alice.id) == job
    assert await processing_jobs.get_by_id(db, job_id=job.id, user_id=bob.id) is None
    assert await processing_jobs.get_by_id(db, job_id=uuid.uuid4(), user_id=alice.id) is None


async def test_list_and_count_filters(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    session = await processing_sessions.create(db, user_id=alice.id)
    a = await add_job(db, alice, "download", session_id=session.id)
    b = await add_job(db, alice, "transcribe", session_id=session.id, priority=5)
    c = await add_job(db, alice, "transcribe")
    await add_job(db, bob, "transcribe")
    (running,) = await claim(db, alice)
    assert running.id == b.id

    async def ids(filters: JobFilter) -> set[uuid.UUID]:
        listed = await processing_jobs.list_by_user(
            db, user_id=alice.id, filters=filters, limit=50, offset=0
        )
        count = await processing_jobs.count_by_user(db, user_id=alice.id, filters=filters)
        assert count == len(listed.items) == listed.total
        return {j.id for j in listed.items}

    assert await ids(JobFilter()) == {a.id, b.id, c.id}
    assert await ids(JobFilter(status="running")) == {b.id}
    assert await ids(JobFilter(status="queued")) == {a.id, c.id}
    assert await ids(JobFilter(job_type="transcribe")) == {b.id, c.id}
    assert await ids(JobFilter(session_id=session.id)) == {a.id, b.id}
    assert await ids(JobFilter(session_id=session.id, job_type="transcribe")) == {b.id}
    assert await ids(JobFilter(status="queued", job_type="transcribe")) == {c.id}
    assert await ids(JobFilter(status="completed")) == set()


async def test_list_is_newest_first_and_paginates(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    made = [await add_job(db, alice, payload={"n": i}) for i in range(5)]
    for age, job in enumerate(made):
        await db.execute(
            "UPDATE processing_jobs SET created_at = now() - make_interval(mins => $2) "
            "WHERE id = $1",
            job.id,
            age,
        )

    listings = [
        await processing_jobs.list_by_user(db, user_id=alice.id, limit=2, offset=offset)
        for offset in (0, 2, 4)
    ]
    pages = [[j.payload["n"] for j in listed.items] for listed in listings]

    assert pages == [[0, 1], [2, 3], [4]]
    assert [listed.total for listed in listings] == [5, 5, 5]
    by_cursor = []
    after = None
    for _ in range(4):
        listed = await processing_jobs.list_by_user(db, user_id=alice.id, after=after, limit=2)
        by_cursor.append([j.payload["n"] for j in listed.items])
        if listed.items:
            after = (listed.items[-1].created_at, listed.items[-1].id)
    assert by_cursor == [[0, 1], [2, 3], [4], []]
    assert await processing_jobs.list_by_user(db, user_id=bob.id, limit=10, offset=0) == Listing(
        [], 0
    )
    assert await processing_jobs.count_by_user(db, user_id=bob.id) == 0


async def test_delete(db: asyncpg.Connection, alice: users.User, bob: users.User) -> None:
    job = await add_job(db, alice)

    assert await processing_jobs.delete(db, job_id=job.id, user_id=bob.id) is False
    assert await processing_jobs.delete(db, job_id=job.id, user_id=alice.id) is True
    assert await processing_jobs.delete(db, job_id=job.id, user_id=alice.id) is False
    assert await processing_jobs.get_by_id(db, job_id=job.id, user_id=alice.id) is None


# claim


async def test_claim_marks_the_job_running(db: asyncpg.Connection, alice: users.User) -> None:
    job = await add_job(db, alice)

    (claimed,) = await processing_jobs.claim(db, user_id=alice.id, worker="host-1:42")

    now = await db_now(db)
    assert claimed.id == job.id
    assert claimed.status == "running"
    assert claimed.attempts == 1
    assert claimed.locked_by == "host-1:42"
    assert claimed.locked_at == now
    assert claimed.started_at == now
    assert claimed.finished_at is None
    assert await reload(db, job) == claimed
    assert await claim(db, alice) == []


async def test_claim_order_is_priority_then_run_after_then_created_at(
    db: asyncpg.Connection, alice: users.User
) -> None:
    now = await db_now(db)
    low = await add_job(db, alice, priority=-1, run_after=now - timedelta(hours=9))
    old_run = await add_job(db, alice, run_after=now - timedelta(minutes=10))
    new_run = await add_job(db, alice, run_after=now - timedelta(minutes=5))
    tie_newer = await add_job(db, alice, run_after=now - timedelta(minutes=10))
    urgent = await add_job(db, alice, priority=100)
    # old_run and tie_newer share priority and run_after: created_at decides.
    await db.execute(
        "UPDATE processing_jobs SET created_at = now() - interval '1 hour' WHERE id = $1",
        old_run.id,
    )

    order = [(await claim(db, alice))[0].id for _ in range(5)]

    assert order == [urgent.id, old_run.id, tie_newer.id, new_run.id, low.id]


async def test_claim_batch_comes_in_claim_order(db: asyncpg.Connection, alice: users.User) -> None:
    jobs = [await add_job(db, alice, priority=p) for p in (1, 5, 3, 4, 2)]

    batch = await claim(db, alice, limit=3)
    rest = await claim(db, alice, limit=10)

    assert [j.priority for j in batch] == [5, 4, 3]
    assert [j.priority for j in rest] == [2, 1]
    assert {j.id for j in batch + rest} == {j.id for j in jobs}
    assert all(j.status == "running" for j in batch + rest)


async def test_claim_skips_jobs_not_yet_due(db: asyncpg.Connection, alice: users.User) -> None:
    now = await db_now(db)
    await add_job(db, alice, run_after=now + timedelta(seconds=1), priority=100)
    due = await add_job(db, alice, run_after=now)

    claimed = await claim(db, alice, limit=10)

    assert [j.id for j in claimed] == [due.id]
    assert await claim(db, alice, limit=10) == []


async def test_claim_filters_by_job_type(db: asyncpg.Connection, alice: users.User) -> None:
    download = await add_job(db, alice, "download", priority=9)
    transcribe = await add_job(db, alice, "transcribe")
    summarize = await add_job(db, alice, "summarize")

    first = await claim(db, alice, limit=10, job_types=["transcribe", "summarize"])
    nothing = await claim(db, alice, limit=10, job_types=["unknown"])
    rest = await claim(db, alice, limit=10, job_types=None)

    assert {j.id for j in first} == {transcribe.id, summarize.id}
    assert nothing == []
    assert [j.id for j in rest] == [download.id]


async def test_claim_for_one_user_takes_only_their_jobs(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    bobs = await add_job(db, bob, priority=50)
    alices = await add_job(db, alice)

    mine = await claim(db, alice, limit=10)

    assert [j.id for j in mine] == [alices.id]
    assert (await reload(db, bobs)).status == "queued"


async def test_claim_for_every_user(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    bobs = await add_job(db, bob, priority=50)
    alices = await add_job(db, alice)
    # Other tests' jobs never outlive their transaction, but stay clear of them anyway.
    claimed = await claim(db, None, limit=1000)

    ids = [j.id for j in claimed]
    assert bobs.id in ids and alices.id in ids
    assert ids.index(bobs.id) < ids.index(alices.id)
    assert (await reload(db, bobs)).status == "running"


async def test_claim_skips_running_finished_and_cancelled_jobs(
    db: asyncpg.Connection, alice: users.User
) -> None:
    running = await add_job(db, alice, priority=4)
    done = await add_job(db, alice, priority=3)
    cancelled = await add_job(db, alice, priority=2)
    queued = await add_job(db, alice, priority=1)
    await claim(db, alice, limit=2)
    await processing_jobs.complete(db, job_id=done.id, user_id=alice.id, result=None)
    await processing_jobs.cancel(db, job_id=cancelled.id, user_id=alice.id)

    claimed = await claim(db, alice, limit=10)

    assert [j.id for j in claimed] == [queued.id]
    assert (await reload(db, running)).status == "running"


# complete


@pytest.mark.parametrize(
    "result",
    [{"words": 1200, "chunks": [1, 2]}, [1, "two", None], "done", 42, 3.5, True, {}],
)
async def test_complete_stores_any_json_result(
    db: asyncpg.Connection, alice: users.User, result: Any
) -> None:
    job = await add_job(db, alice)
    await claim(db, alice)

    completed = await processing_jobs.complete(db, job_id=job.id, user_id=alice.id, result=result)

    assert completed is not None
    assert completed.status == "completed"
    assert completed.result == result
    assert completed.finished_at == await db_now(db)
    assert (completed.locked_by, completed.locked_at) == (None, None)
    assert completed.attempts == 1
    assert (await reload(db, job)).result == result


async def test_complete_clears_the_previous_error(
    db: asyncpg.Connection, alice: users.User
) -> None:
    job = await add_job(db, alice)
    await claim(db, alice)
    await fail(db, job)
    await make_due(db, job)
    await claim(db, alice)

    completed = await processing_jobs.complete(db, job_id=job.id, user_id=alice.id, result="ok")

    assert completed is not None
    assert completed.error_message is None
    assert completed.attempts == 2


async def test_complete_needs_a_running_job_of_the_user(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    queued = await add_job(db, alice)

    assert await processing_jobs.complete(db, job_id=queued.id, user_id=alice.id, result=1) is None
    await claim(db, alice)
    assert await processing_jobs.complete(db, job_id=queued.id, user_id=bob.id, result=1) is None
    assert await processing_jobs.complete(db, job_id=queued.id, user_id=alice.id, result=1)
    assert await processing_jobs.complete(db, job_id=queued.id, user_id=alice.id, result=2) is None
    assert (await reload(db, queued)).result == 1


# fail and back-off


async def test_first_failure_requeues_after_the_base_delay(
    db: asyncpg.Connection, alice: users.User
) -> None:
    job = await add_job(db, alice)
    await claim(db, alice)

    failed = await processing_jobs.fail(
        db, job_id=job.id, user_id=alice.id, error_message="HTTP 503", backoff=BACKOFF
    )

    now = await db_now(db)
    assert failed is not None
    assert failed.status == "queued"
    assert failed.run_after == now + timedelta(seconds=10)
    assert failed.error_message == "HTTP 503"
    assert failed.attempts == 1
    assert (failed.locked_by, failed.locked_at, failed.finished_at) == (None, None, None)
    assert await claim(db, alice) == []


async def test_back_off_doubles_with_each_attempt(
    db: asyncpg.Connection, alice: users.User
) -> None:
    job = await add_job(db, alice, max_attempts=5)
    delays = []

    for _ in range(4):
        await make_due(db, job)
        await claim(db, alice)
        failed = await fail(db, job)
        delays.append((failed.run_after - await db_now(db)).total_seconds())

    assert delays == [10, 20, 40, 80]


async def test_back_off_is_capped(db: asyncpg.Connection, alice: users.User) -> None:
    job = await add_job(db, alice)
    capped = Backoff(base_seconds=1000, max_seconds=1500)
    await claim(db, alice)
    first = await fail(db, job, capped)
    await make_due(db, job)
    await claim(db, alice)

    second = await fail(db, job, capped)

    now = await db_now(db)
    assert first.run_after == now + timedelta(seconds=1000)
    assert second.run_after == now + timedelta(seconds=1500)
    assert second.status == "queued"


async def test_fractional_back_off(db: asyncpg.Connection, alice: users.User) -> None:
    job = await add_job(db, alice)
    await claim(db, alice)

    failed = await fail(db, job, Backoff(base_seconds=0.25, max_seconds=60))

    assert failed.run_after == await db_now(db) + timedelta(milliseconds=250)


async def test_failing_max_attempts_times_fails_for_good(
    db: asyncpg.Connection, alice: users.User
) -> None:
    job = await add_job(db, alice, max_attempts=2)
    await claim(db, alice)
    first = await fail(db, job)
    await make_due(db, job)
    await claim(db, alice)
    run_after_before = (await reload(db, job)).run_after

    final = await processing_jobs.fail(
        db, job_id=job.id, user_id=alice.id, error_message="gave up", backoff=BACKOFF
    )

    assert first.status == "queued"
    assert final is not None
    assert final.status == "failed"
    assert final.attempts == 2
    assert final.finished_at == await db_now(db)
    assert final.error_message == "gave up"
    assert final.run_after == run_after_before
    assert (final.locked_by, final.locked_at) == (None, None)
    await make_due(db, job)
    assert await claim(db, alice) == []


async def test_single_attempt_job_fails_at_once(db: asyncpg.Connection, alice: users.User) -> None:
    job = await add_job(db, alice, max_attempts=1)
    await claim(db, alice)

    final = await fail(db, job)

    assert final.status == "failed"


async def test_fail_needs_a_running_job_of_the_user(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    job = await add_job(db, alice)

    assert (
        await processing_jobs.fail(
            db, job_id=job.id, user_id=alice.id, error_message="x", backoff=BACKOFF
        )
        is None
    )
    await claim(db, alice)
    assert (
        await processing_jobs.fail(
            db, job_id=job.id, user_id=bob.id, error_message="x", backoff=BACKOFF
        )
        is None
    )
    assert (await reload(db, job)).status == "running"


# cancel


async def test_cancel_queued_and_running(db: asyncpg.Connection, alice: users.User) -> None:
    queued = await add_job(db, alice)
    running = await add_job(db, alice, priority=1)
    await claim(db, alice)

    cancelled_queued = await processing_jobs.cancel(db, job_id=queued.id, user_id=alice.id)
    cancelled_running = await processing_jobs.cancel(db, job_id=running.id, user_id=alice.id)

    now = await db_now(db)
    for cancelled in (cancelled_queued, cancelled_running):
        assert cancelled is not None
        assert cancelled.status == "cancelled"
        assert cancelled.finished_at == now
        assert (cancelled.locked_by, cancelled.locked_at) == (None, None)
    assert await processing_jobs.cancel(db, job_id=queued.id, user_id=alice.id) is None


async def test_cancel_of_a_finished_job_is_none(db: asyncpg.Connection, alice: users.User) -> None:
    done = await add_job(db, alice)
    failed = await add_job(db, alice, max_attempts=1)
    await claim(db, alice, limit=2)
    await processing_jobs.complete(db, job_id=done.id, user_id=alice.id, result=None)
    await fail(db, failed)

    assert await processing_jobs.cancel(db, job_id=done.id, user_id=alice.id) is None
    assert await processing_jobs.cancel(db, job_id=failed.id, user_id=alice.id) is None
    assert (await reload(db, done)).status == "completed"
    assert (await reload(db, failed)).status == "failed"


async def test_cancel_of_another_users_job_is_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    job = await add_job(db, alice)

    assert await processing_jobs.cancel(db, job_id=job.id, user_id=bob.id) is None
    assert (await reload(db, job)).status == "queued"


# reclaim_stale


async def reclaim(db: asyncpg.Connection, user: users.User, seconds: float) -> list[Job]:
    """reclaim_stale serves every user: keep the test's own jobs, in case the shared
    database holds other committed ones."""
    reclaimed = await processing_jobs.reclaim_stale(db, stale_after_seconds=seconds)
    return [j for j in reclaimed if j.user_id == user.id]


async def age_lock(db: asyncpg.Connection, job: Job, age: timedelta) -> None:
    await db.execute(
        "UPDATE processing_jobs SET locked_at = now() - $2::interval WHERE id = $1", job.id, age
    )


async def test_reclaim_requeues_a_stale_job(db: asyncpg.Connection, alice: users.User) -> None:
    stale = await add_job(db, alice, priority=1)
    fresh = await add_job(db, alice)
    await processing_jobs.claim(db, user_id=alice.id, worker="box-7", limit=2)
    await age_lock(db, stale, timedelta(hours=1))
    await age_lock(db, fresh, timedelta(seconds=30))

    reclaimed = await reclaim(db, alice, 300)

    assert [j.id for j in reclaimed] == [stale.id]
    (job,) = reclaimed
    assert job.status == "queued"
    assert job.error_message is not None
    assert "box-7" in job.error_message
    assert job.run_after == await db_now(db)
    assert (job.locked_by, job.locked_at, job.finished_at) == (None, None, None)
    assert job.attempts == 1
    assert (await reload(db, fresh)).status == "running"
    (again,) = await claim(db, alice)
    assert again.id == stale.id
    assert again.attempts == 2


async def test_reclaim_fails_a_job_out_of_attempts(
    db: asyncpg.Connection, alice: users.User
) -> None:
    job = await add_job(db, alice, max_attempts=1)
    await claim(db, alice)
    await age_lock(db, job, timedelta(hours=1))

    (reclaimed,) = await reclaim(db, alice, 60)

    assert reclaimed.status == "failed"
    assert reclaimed.finished_at == await db_now(db)
    assert reclaimed.error_message is not None
    assert "worker-1" in reclaimed.error_message


async def test_reclaim_leaves_queued_and_fresh_jobs(
    db: asyncpg.Connection, alice: users.User
) -> None:
    queued = await add_job(db, alice)
    await db.execute(
        "UPDATE processing_jobs SET created_at = now() - interval '1 day' WHERE id = $1",
        queued.id,
    )
    running = await add_job(db, alice, priority=1)
    await claim(db, alice)

    reclaimed = await processing_jobs.reclaim_stale(db, stale_after_seconds=60)

    assert {j.id for j in reclaimed}.isdisjoint({queued.id, running.id})
    assert (await reload(db, queued)).status == "queued"
    assert (await reload(db, running)).status == "running"


# concurrency: real commits, so a private database, not the rolled-back `db`


async def committed_user(conn: asyncpg.Connection) -> users.User:
    name = f"queue_{uuid.uuid4().hex[:10]}"
    return await users.create(
        conn, username=name, email=f"{name}@example.com", password_hash=PASSWORD_HASH
    )


async def test_concurrent_claimers_take_each_job_once(committing_database_url: str) -> None:
    """200 jobs, 4 workers on their own connections, each claiming 5 at a time in its
    own transaction and completing them before commit."""
    jobs_count, workers_count = 200, 4
    setup = await connect(committing_database_url)
    connections = [await connect(committing_database_url) for _ in range(workers_count)]
    try:
        owner = await committed_user(setup)
        session = await processing_sessions.create(setup, user_id=owner.id, name="bulk")
        async with setup.transaction():
            for i in range(jobs_count):
                await processing_jobs.enqueue(
                    setup,
                    user_id=owner.id,
                    job=NewJob(job_type="work", session_id=session.id, payload={"n": i}),
                )

        async def worker(conn: asyncpg.Connection, name: str) -> list[uuid.UUID]:
            done: list[uuid.UUID] = []
            while True:
                async with conn.transaction():
                    batch = await processing_jobs.claim(
                        conn, user_id=owner.id, worker=name, limit=5
                    )
                    for job in batch:
                        assert job.locked_by == name
                        completed = await processing_jobs.complete(
                            conn, job_id=job.id, user_id=owner.id, result={"by": name}
                        )
                        assert completed is not None
                        done.append(job.id)
                if not batch:
                    return done
                await asyncio.sleep(0)

        results = await asyncio.gather(
            *(worker(conn, f"w{i}") for i, conn in enumerate(connections))
        )

        claimed = [job_id for done in results for job_id in done]
        assert len(claimed) == len(set(claimed)), "a job was claimed twice"
        all_ids = {
            r["id"]
            for r in await setup.fetch(
                "SELECT id FROM processing_jobs WHERE user_id = $1", owner.id
            )
        }
        assert set(claimed) == all_ids
        assert len(all_ids) == jobs_count
        statuses = await setup.fetch(
            "SELECT status, count(*) FROM processing_jobs WHERE user_id = $1 GROUP BY status",
            owner.id,
        )
        assert {r["status"]: r["count"] for r in statuses} == {"completed": jobs_count}
        assert sum(1 for done in results if done) > 1, "only one worker got any work"
        final = await processing_sessions.get_by_id(setup, session_id=session.id, user_id=owner.id)
        assert final is not None
        assert final.total_items == jobs_count
        assert final.completed_items == jobs_count
        assert final.failed_items == 0
        assert final.started_at is not None
        by_worker = await setup.fetch(
            "SELECT result ->> 'by' AS worker, count(*) FROM processing_jobs "
            "WHERE user_id = $1 GROUP BY 1",
            owner.id,
        )
        assert {r["worker"]: r["count"] for r in by_worker} == {
            f"w{i}": len(done) for i, done in enumerate(results) if done
        }
    finally:
        for conn in [setup, *connections]:
            await conn.close()


async def test_racing_enqueues_with_one_key_make_one_job(committing_database_url: str) -> None:
    """The second INSERT waits for the first's uncommitted row, then does nothing; its
    statement snapshot cannot see that row, so enqueue must read again."""
    first_conn = await connect(committing_database_url)
    second_conn = await connect(committing_database_url)
    try:
        owner = await committed_user(first_conn)
        job = NewJob(job_type="race", idempotency_key="the-key")
        transaction = first_conn.transaction()
        await transaction.start()
        first, first_created = await processing_jobs.enqueue(first_conn, user_id=owner.id, job=job)

        racing = asyncio.ensure_future(
            processing_jobs.enqueue(second_conn, user_id=owner.id, job=job)
        )
        await asyncio.sleep(0.3)
        blocked = not racing.done()
        await transaction.commit()
        second, second_created = await racing

        assert blocked, "the second enqueue should wait for the first transaction"
        assert (first_created, second_created) == (True, False)
        assert second.id == first.id
        assert (
            await first_conn.fetchval(
                "SELECT count(*) FROM processing_jobs WHERE user_id = $1", owner.id
            )
            == 1
        )
    finally:
        await first_conn.close()
        await second_conn.close()


_CLAIM_CANDIDATES = """
EXPLAIN (FORMAT JSON)
SELECT id FROM processing_jobs
WHERE status = 'queued' AND run_after <= now() AND ($1::uuid IS NULL OR user_id = $1)
ORDER BY priority DESC, run_after, created_at
LIMIT 8 FOR UPDATE SKIP LOCKED
"""


def _nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(n for child in plan.get("Plans", []) for n in _nodes(child))]


async def test_claiming_walks_the_claim_index_even_when_the_statistics_are_stale(
    db: asyncpg.Connection, alice: users.User
) -> None:
    """What claim_jobs() pins (migration 0014): a burst the statistics have not seen
    yet is still claimed by walking idx_processing_jobs_claim in order, not by
    sorting every queued job."""
    await db.execute(
        "INSERT INTO processing_jobs (user_id, job_type)"
        " SELECT $1, 'burst' FROM generate_series(1, 5000)",
        alice.id,
    )
    settings = await db.fetchval("SELECT proconfig FROM pg_proc WHERE proname = 'claim_jobs'")
    assert sorted(settings) == ["enable_bitmapscan=off", "enable_sort=off"]
    for setting in settings:
        name, value = setting.split("=")
        await db.execute(f"SET LOCAL {name} = {value}")  # names from the catalogue
    plan = _nodes(msgspec.json.decode(await db.fetchval(_CLAIM_CANDIDATES, None))[0]["Plan"])
    assert [n.get("Index Name") for n in plan if "Index Name" in n] == ["idx_processing_jobs_claim"]
    assert not any(n["Node Type"] in ("Sort", "Bitmap Heap Scan") for n in plan), plan

    claimed = await processing_jobs.claim(
        db, user_id=None, worker="w", limit=8, job_types=["burst"]
    )
    assert len(claimed) == 8 and {j.job_type for j in claimed} == {"burst"}


_USER_CLAIM_CANDIDATES = """
EXPLAIN (FORMAT JSON)
SELECT id FROM processing_jobs
WHERE status = 'queued' AND user_id = $1 AND run_after <= now()
  AND ($2::text[] IS NULL OR job_type = ANY ($2))
ORDER BY priority DESC, run_after, created_at
LIMIT 8 FOR UPDATE SKIP LOCKED
"""


async def test_a_users_claim_reads_only_their_queue(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    """claim_jobs()'s branch for one user (migration 0015): with another user's 5,000
    jobs queued ahead and statistics that have not seen them, the user's claim walks
    idx_processing_jobs_claim_by_user, not the whole queue, and still goes by priority."""
    await db.execute(
        "INSERT INTO processing_jobs (user_id, job_type, priority)"
        " SELECT $1, 'burst', 10 FROM generate_series(1, 5000)",
        bob.id,
    )
    low = await add_job(db, alice, priority=1)
    high = await add_job(db, alice, job_type="summarize", priority=5)
    settings = await db.fetchval("SELECT proconfig FROM pg_proc WHERE proname = 'claim_jobs'")
    for setting in settings:
        name, value = setting.split("=")
        await db.execute(f"SET LOCAL {name} = {value}")  # names from the catalogue
    for job_types in (None, ["transcribe", "summarize"]):
        plan = _nodes(
            msgspec.json.decode(await db.fetchval(_USER_CLAIM_CANDIDATES, alice.id, job_types))[0][
                "Plan"
            ]
        )
        used = [n.get("Index Name") for n in plan if "Index Name" in n]
        assert used == ["idx_processing_jobs_claim_by_user"], plan
        assert not any(n["Node Type"] in ("Sort", "Bitmap Heap Scan") for n in plan), plan

    claimed = await claim(db, alice, limit=8)
    assert [j.id for j in claimed] == [high.id, low.id]
    assert (
        await db.fetchval(
            "SELECT count(*) FROM processing_jobs WHERE user_id = $1 AND status = 'queued'", bob.id
        )
        == 5000
    )


_TYPE_CLAIM_CANDIDATES = """
EXPLAIN (FORMAT JSON)
SELECT q.id
FROM (SELECT DISTINCT unnest($1::text[])) AS t(job_type)
CROSS JOIN LATERAL (
    SELECT p.id, p.priority, p.run_after, p.created_at
    FROM processing_jobs p
    WHERE p.status = 'queued' AND p.job_type = t.job_type AND p.run_after <= now()
    ORDER BY p.priority DESC, p.run_after, p.created_at
    LIMIT 8 FOR UPDATE SKIP LOCKED
) q
"""


async def test_a_claim_of_some_job_types_reads_only_their_queues(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    """claim_jobs()'s branch for given job types (migration 0015): with 50,000 jobs of
    another type queued ahead, analyzed, each type's queue is read through
    idx_processing_jobs_claim_by_type, and the claim still goes by priority across
    the types. (Without the migration's n_distinct for job_type, the statistics say
    every queued job is of the one type and the plan walks the whole queue.)"""
    await db.execute(
        "INSERT INTO processing_jobs (user_id, job_type, priority)"
        " SELECT $1, 'backlog', 10 FROM generate_series(1, 50000)",
        bob.id,
    )
    await db.execute("ANALYZE processing_jobs")  # one type is the whole queue
    low = await add_job(db, alice, job_type="transcribe", priority=1)
    high = await add_job(db, alice, job_type="summarize", priority=5)
    settings = await db.fetchval("SELECT proconfig FROM pg_proc WHERE proname = 'claim_jobs'")
    for setting in settings:
        name, value = setting.split("=")
        await db.execute(f"SET LOCAL {name} = {value}")  # names from the catalogue
    plan = _nodes(
        msgspec.json.decode(await db.fetchval(_TYPE_CLAIM_CANDIDATES, ["transcribe", "summarize"]))[
            0
        ]["Plan"]
    )
    used = [n.get("Index Name") for n in plan if "Index Name" in n]
    assert used == ["idx_processing_jobs_claim_by_type"], plan

    claimed = await processing_jobs.claim(
        db, user_id=None, worker="w", limit=8, job_types=["transcribe", "summarize"]
    )
    assert [j.id for j in claimed] == [high.id, low.id]
    assert {j.status for j in claimed} == {"running"}
    assert (
        await db.fetchval(
            "SELECT count(*) FROM processing_jobs WHERE job_type = 'backlog' AND status = 'queued'"
        )
        == 50000
    )


async def test_a_job_type_named_twice_is_claimed_as_once(
    db: asyncpg.Connection, alice: users.User
) -> None:
    """A statement never skips the rows it has locked itself: without the DISTINCT, the
    second copy of a type would find the first copy's candidates and fill the claim
    with duplicates."""
    jobs = [await add_job(db, alice, job_type="summarize") for _ in range(3)]

    claimed = await processing_jobs.claim(
        db, user_id=None, worker="w", limit=3, job_types=["summarize", "summarize"]
    )

    assert sorted(j.id for j in claimed) == sorted(j.id for j in jobs)
