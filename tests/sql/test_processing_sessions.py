import uuid
from datetime import timedelta

import asyncpg
import pytest

from service.db import Listing
from service.queries import processing_jobs, processing_sessions, users
from service.queries.processing_jobs import Backoff
from service.queries.processing_sessions import ProcessingSession
from tests.sql.conftest import db_now
from tests.sql.library_fixtures import add_job, insert_aged

BACKOFF = Backoff(base_seconds=10, max_seconds=3600)


async def new_session(
    db: asyncpg.Connection, user: users.User, name: str | None = None
) -> ProcessingSession:
    return await processing_sessions.create(db, user_id=user.id, name=name)


async def reload(db: asyncpg.Connection, session: ProcessingSession) -> ProcessingSession:
    fresh = await processing_sessions.get_by_id(db, session_id=session.id, user_id=session.user_id)
    assert fresh is not None
    return fresh


async def counters(db: asyncpg.Connection, session: ProcessingSession) -> tuple[int, int, int]:
    fresh = await reload(db, session)
    return fresh.total_items, fresh.completed_items, fresh.failed_items


async def claim_all(db: asyncpg.Connection, user: users.User) -> list[processing_jobs.Job]:
    return await processing_jobs.claim(db, user_id=user.id, worker="w1", limit=100)


async def test_create_with_defaults(db: asyncpg.Connection, alice: users.User) -> None:
    session = await processing_sessions.create(db, user_id=alice.id)

    assert isinstance(session, ProcessingSession)
    assert session.user_id == alice.id
    assert session.name == "Processing session"
    assert session.status == "pending"
    assert session.configuration == {}
    assert (session.total_items, session.completed_items, session.failed_items) == (0, 0, 0)
    assert session.started_at is None
    assert session.finished_at is None
    assert session.created_at == await db_now(db)


async def test_create_with_name_and_configuration(
    db: asyncpg.Connection, alice: users.User
) -> None:
    config = {"model": "whisper-large", "languages": ["en", "de"], "batch": {"size": 8}}

    session = await processing_sessions.create(
        db, user_id=alice.id, name="Nightly import", configuration=config
    )

    assert session.name == "Nightly import"
    assert session.configuration == config
    assert await processing_sessions.get_by_id(db, session_id=session.id, user_id=alice.id) == (
        session
    )


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
async def test_blank_name_is_rejected(db: asyncpg.Connection, alice: users.User, name: str) -> None:
    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await processing_sessions.create(db, user_id=alice.id, name=name)
    assert caught.value.constraint_name == "processing_sessions_name_not_blank"


async def test_get_and_exists_of_another_user(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    session = await new_session(db, alice)

    assert await processing_sessions.get_by_id(db, session_id=session.id, user_id=bob.id) is None
    assert (
        await processing_sessions.get_by_id(db, session_id=uuid.uuid4(), user_id=alice.id) is None
    )
    assert await processing_sessions.exists(db, session_id=session.id, user_id=alice.id) is True
    assert await processing_sessions.exists(db, session_id=session.id, user_id=bob.id) is False


async def test_list_and_count_by_status(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    pending = await new_session(db, alice, "pending one")
    running = await new_session(db, alice, "running one")
    await processing_sessions.update(db, session_id=running.id, user_id=alice.id, status="running")
    await new_session(db, bob, "bob's")

    everything = await processing_sessions.list_by_user(db, user_id=alice.id, limit=10, offset=0)
    only_running = await processing_sessions.list_by_user(
        db, user_id=alice.id, status="running", limit=10, offset=0
    )

    assert {s.id for s in everything.items} == {pending.id, running.id}
    assert [s.id for s in only_running.items] == [running.id]
    assert (everything.total, only_running.total) == (2, 1)
    assert await processing_sessions.count_by_user(db, user_id=alice.id) == 2
    assert await processing_sessions.count_by_user(db, user_id=alice.id, status="pending") == 1
    assert await processing_sessions.count_by_user(db, user_id=alice.id, status="failed") == 0
    assert await processing_sessions.count_by_user(db, user_id=bob.id) == 1


async def test_list_is_newest_first_and_paginates(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    made = [await new_session(db, alice, f"s{i}") for i in range(5)]
    for age, session in enumerate(made):
        await db.execute(
            "UPDATE processing_sessions SET created_at = now() - make_interval(mins => $2) "
            "WHERE id = $1",
            session.id,
            age,
        )

    listings = [
        await processing_sessions.list_by_user(db, user_id=alice.id, limit=2, offset=offset)
        for offset in (0, 2, 4)
    ]
    pages = [[s.name for s in listed.items] for listed in listings]

    assert pages == [["s0", "s1"], ["s2", "s3"], ["s4"]]
    assert [listed.total for listed in listings] == [5, 5, 5]
    by_cursor = []
    after = None
    for _ in range(4):
        listed = await processing_sessions.list_by_user(db, user_id=alice.id, after=after, limit=2)
        by_cursor.append([s.name for s in listed.items])
        if listed.items:
            after = (listed.items[-1].created_at, listed.items[-1].id)
    assert by_cursor == [["s0", "s1"], ["s2", "s3"], ["s4"], []]
    assert await processing_sessions.list_by_user(
        db, user_id=bob.id, limit=10, offset=0
    ) == Listing([], 0)


async def test_update_running_stamps_started_at_once(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await new_session(db, alice)
    await db.execute(
        "UPDATE processing_sessions SET started_at = NULL, created_at = now() - interval '1 hour' "
        "WHERE id = $1",
        session.id,
    )

    running = await processing_sessions.update(
        db, session_id=session.id, user_id=alice.id, status="running"
    )

    now = await db_now(db)
    assert running is not None
    assert running.status == "running"
    assert running.started_at == now
    assert running.finished_at is None
    await db.execute(
        "UPDATE processing_sessions SET started_at = now() - interval '5 minutes' WHERE id = $1",
        session.id,
    )
    again = await processing_sessions.update(
        db, session_id=session.id, user_id=alice.id, status="running"
    )
    assert again is not None
    assert again.started_at == now - timedelta(minutes=5)


@pytest.mark.parametrize("final", ["completed", "failed", "cancelled"])
async def test_update_to_a_final_status_stamps_finished_at(
    db: asyncpg.Connection, alice: users.User, final: str
) -> None:
    session = await new_session(db, alice)
    await processing_sessions.update(db, session_id=session.id, user_id=alice.id, status="running")

    done = await processing_sessions.update(
        db,
        session_id=session.id,
        user_id=alice.id,
        status=final,  # type: ignore[arg-type]
    )

    assert done is not None
    assert done.status == final
    assert done.finished_at == await db_now(db)
    assert done.started_at == await db_now(db)


async def test_update_without_status_keeps_the_timestamps(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await new_session(db, alice)
    await processing_sessions.update(
        db, session_id=session.id, user_id=alice.id, status="completed"
    )

    renamed = await processing_sessions.update(
        db,
        session_id=session.id,
        user_id=alice.id,
        name="renamed",
        configuration={"k": "v"},
    )

    assert renamed is not None
    assert renamed.name == "renamed"
    assert renamed.configuration == {"k": "v"}
    assert renamed.status == "completed"
    assert renamed.finished_at == await db_now(db)


async def test_update_bumps_updated_at(db: asyncpg.Connection, alice: users.User) -> None:
    session_id = await insert_aged(db, "processing_sessions", user_id=alice.id)

    updated = await processing_sessions.update(
        db, session_id=session_id, user_id=alice.id, name="x"
    )

    now = await db_now(db)
    assert updated is not None
    assert updated.updated_at == now
    assert updated.created_at == now - timedelta(days=1)


async def test_update_rejects_unknown_status(db: asyncpg.Connection, alice: users.User) -> None:
    session = await new_session(db, alice)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await processing_sessions.update(
                db,
                session_id=session.id,
                user_id=alice.id,
                status="paused",  # type: ignore[arg-type]
            )
    assert caught.value.constraint_name == "processing_sessions_status_check"


async def test_update_of_another_users_session_is_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    session = await new_session(db, alice, "mine")

    assert (
        await processing_sessions.update(
            db, session_id=session.id, user_id=bob.id, name="stolen", status="cancelled"
        )
        is None
    )
    assert await reload(db, session) == session


async def test_delete_cascades_to_its_jobs(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    session = await new_session(db, alice)
    doomed = [await add_job(db, alice, session_id=session.id) for _ in range(3)]
    loose = await add_job(db, alice)

    assert await processing_sessions.delete(db, session_id=session.id, user_id=bob.id) is False
    assert await processing_sessions.delete(db, session_id=session.id, user_id=alice.id) is True
    assert await processing_sessions.delete(db, session_id=session.id, user_id=alice.id) is False

    for job in doomed:
        assert await processing_jobs.get_by_id(db, job_id=job.id, user_id=alice.id) is None
    assert await processing_jobs.get_by_id(db, job_id=loose.id, user_id=alice.id) == loose


async def test_job_cannot_join_another_users_session(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    bobs = await new_session(db, bob)

    with pytest.raises(asyncpg.ForeignKeyViolationError) as caught:
        async with db.transaction():
            await add_job(db, alice, session_id=bobs.id)
    assert caught.value.constraint_name == "processing_jobs_session_fkey"
    assert await counters(db, bobs) == (0, 0, 0)


# counters kept by trigger_track_session_progress


async def test_enqueueing_counts_total_items(db: asyncpg.Connection, alice: users.User) -> None:
    session = await new_session(db, alice)
    other = await new_session(db, alice)

    for _ in range(3):
        await add_job(db, alice, session_id=session.id)
    await add_job(db, alice)
    await add_job(db, alice, session_id=other.id)

    assert await counters(db, session) == (3, 0, 0)
    assert await counters(db, other) == (1, 0, 0)


async def test_repeated_idempotent_enqueue_counts_once(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await new_session(db, alice)
    job = processing_jobs.NewJob(job_type="t", session_id=session.id, idempotency_key="k")

    await processing_jobs.enqueue(db, user_id=alice.id, job=job)
    await processing_jobs.enqueue(db, user_id=alice.id, job=job)

    assert await counters(db, session) == (1, 0, 0)


async def test_claiming_stamps_the_session_start(db: asyncpg.Connection, alice: users.User) -> None:
    session = await new_session(db, alice)
    await add_job(db, alice, session_id=session.id)

    await claim_all(db, alice)

    fresh = await reload(db, session)
    assert fresh.started_at == await db_now(db)
    assert (fresh.total_items, fresh.completed_items, fresh.failed_items) == (1, 0, 0)


async def test_completing_and_failing_move_the_counters(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await new_session(db, alice)
    for _ in range(4):
        await add_job(db, alice, session_id=session.id, max_attempts=1)
    claimed = await claim_all(db, alice)
    assert len(claimed) == 4

    await processing_jobs.complete(db, job_id=claimed[0].id, user_id=alice.id, result={"ok": 1})
    await processing_jobs.complete(db, job_id=claimed[1].id, user_id=alice.id, result=None)
    failed = await processing_jobs.fail(
        db, job_id=claimed[2].id, user_id=alice.id, error_message="boom", backoff=BACKOFF
    )

    assert failed is not None
    assert failed.status == "failed"
    assert await counters(db, session) == (4, 2, 1)


async def test_a_retried_failure_is_not_counted_as_failed(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await new_session(db, alice)
    job = await add_job(db, alice, session_id=session.id, max_attempts=3)
    await claim_all(db, alice)

    retried = await processing_jobs.fail(
        db, job_id=job.id, user_id=alice.id, error_message="transient", backoff=BACKOFF
    )

    assert retried is not None
    assert retried.status == "queued"
    assert await counters(db, session) == (1, 0, 0)


async def test_cancelling_takes_the_job_out_of_the_total(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await new_session(db, alice)
    queued = await add_job(db, alice, session_id=session.id, priority=0)
    running = await add_job(db, alice, session_id=session.id, priority=10)
    await add_job(db, alice, session_id=session.id, priority=-5)
    (claimed,) = await processing_jobs.claim(db, user_id=alice.id, worker="w", limit=1)
    assert claimed.id == running.id

    await processing_jobs.cancel(db, job_id=queued.id, user_id=alice.id)
    assert await counters(db, session) == (2, 0, 0)
    await processing_jobs.cancel(db, job_id=running.id, user_id=alice.id)
    assert await counters(db, session) == (1, 0, 0)


async def test_deleting_a_job_takes_it_out_of_the_counters(
    db: asyncpg.Connection, alice: users.User
) -> None:
    """The counters follow the session's jobs: a deleted job, like a cancelled one, is
    no longer part of the work, and a deleted completed job no longer counts as done.
    (trigger_track_session_progress fires on INSERT and UPDATE OF status only.)"""
    session = await new_session(db, alice)
    queued = await add_job(db, alice, session_id=session.id)
    done = await add_job(db, alice, session_id=session.id, priority=1)
    await add_job(db, alice, session_id=session.id)
    (claimed,) = await processing_jobs.claim(db, user_id=alice.id, worker="w", limit=1)
    assert claimed.id == done.id
    await processing_jobs.complete(db, job_id=done.id, user_id=alice.id, result=None)
    assert await counters(db, session) == (3, 1, 0)

    assert await processing_jobs.delete(db, job_id=queued.id, user_id=alice.id)
    assert await processing_jobs.delete(db, job_id=done.id, user_id=alice.id)

    remaining = await processing_jobs.count_by_user(
        db, user_id=alice.id, filters=processing_jobs.JobFilter(session_id=session.id)
    )
    assert remaining == 1
    assert await counters(db, session) == (1, 0, 0)


async def test_reclaim_to_failed_counts_as_failed(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await new_session(db, alice)
    await add_job(db, alice, session_id=session.id, max_attempts=1)
    await claim_all(db, alice)
    await db.execute(
        "UPDATE processing_jobs SET locked_at = now() - interval '1 hour' WHERE session_id = $1",
        session.id,
    )

    (reclaimed,) = [
        j
        for j in await processing_jobs.reclaim_stale(db, stale_after_seconds=60)
        if j.session_id == session.id
    ]

    assert reclaimed.status == "failed"
    assert await counters(db, session) == (1, 0, 1)


async def test_counters_of_jobs_without_a_session_touch_no_session(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await new_session(db, alice)
    await add_job(db, alice)
    (job,) = await claim_all(db, alice)

    await processing_jobs.complete(db, job_id=job.id, user_id=alice.id, result=1)

    assert await reload(db, session) == session


# derive_session_status: the status follows the counters


async def test_status_follows_the_jobs_to_completed(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await new_session(db, alice)
    jobs = [await add_job(db, alice, session_id=session.id) for _ in range(2)]
    assert (await reload(db, session)).status == "pending"

    await claim_all(db, alice)
    running = await reload(db, session)
    assert (running.status, running.finished_at) == ("running", None)
    assert running.started_at is not None

    await processing_jobs.complete(db, job_id=jobs[0].id, user_id=alice.id, result=None)
    assert (await reload(db, session)).status == "running"
    await processing_jobs.complete(db, job_id=jobs[1].id, user_id=alice.id, result=None)

    done = await reload(db, session)
    assert done.status == "completed"
    assert done.finished_at is not None and done.started_at is not None
    assert done.finished_at >= done.started_at


async def test_any_failed_job_makes_the_finished_session_failed_and_a_retry_reopens_it(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await new_session(db, alice)
    ok = await add_job(db, alice, session_id=session.id)
    bad = await add_job(db, alice, session_id=session.id, max_attempts=1)
    await claim_all(db, alice)
    await processing_jobs.complete(db, job_id=ok.id, user_id=alice.id, result=None)
    await processing_jobs.fail(
        db, job_id=bad.id, user_id=alice.id, error_message="x", backoff=BACKOFF, retry=False
    )

    failed = await reload(db, session)
    assert (failed.status, failed.failed_items) == ("failed", 1)
    assert failed.finished_at is not None

    await add_job(db, alice, session_id=session.id)
    reopened = await reload(db, session)
    assert (reopened.status, reopened.finished_at) == ("running", None)


async def test_a_session_whose_jobs_are_all_gone_is_cancelled_and_stays_so(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await new_session(db, alice)
    job = await add_job(db, alice, session_id=session.id)

    assert await processing_jobs.delete(db, job_id=job.id, user_id=alice.id)

    cancelled = await reload(db, session)
    assert cancelled.status == "cancelled" and cancelled.finished_at is not None
    await add_job(db, alice, session_id=session.id)
    assert (await reload(db, session)).status == "cancelled"


async def test_a_session_without_jobs_stays_pending(
    db: asyncpg.Connection, alice: users.User
) -> None:
    session = await new_session(db, alice)
    await db.execute("UPDATE processing_sessions SET name = 'renamed' WHERE id = $1", session.id)

    fresh = await reload(db, session)
    assert (fresh.status, fresh.finished_at, fresh.name) == ("pending", None, "renamed")
