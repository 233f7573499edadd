"""`tubebase worker`: claims jobs of every user from the PostgreSQL queue and runs
the built-in job types. A job's work and its completion commit together; a failure
rolls the work back and requeues the job with back-off."""

import asyncio
import logging
import math
import os
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from service.chunking import ChunkingError, default_overlap, overlap_problem
from service.cpu import CpuPool
from service.embedding_client import EmbeddingClient, EndpointRefused
from service.embeddings import (
    EmbeddingError,
    model_named,
    pack_vectors,
    replace_transcript_vectors,
)
from service.ingest import rechunk_transcript
from service.queries import chunks, processing_jobs, sessions
from service.queries.processing_jobs import Backoff, Job
from service.settings import Settings

log = logging.getLogger(__name__)

Handler = Callable[[asyncpg.Connection, Job, Settings], Awaitable[Any]]

# Chunking is CPU-bound: off the event loop, so the other running jobs go on.
_cpu = CpuPool(workers=os.cpu_count() or 2, queue=1_000)


class _NoLongerOurs(Exception):
    """The job was cancelled or taken back while it ran: its work must not commit."""


class JobError(Exception):
    """A job that cannot succeed as given: it fails at once, without retries, and the
    message becomes its error_message."""


async def chunk_transcript(db: asyncpg.Connection, job: Job, settings: Settings) -> Any:
    """Re-chunks a transcript: entity ('transcript', id); payload may set
    chunk_tokens and chunk_overlap_tokens."""
    if job.entity_type != "transcript" or job.entity_id is None:
        raise JobError("chunk_transcript needs entity_type 'transcript' and an entity_id")
    target = int(job.payload.get("chunk_tokens", settings.chunk_tokens))
    overlap = int(
        job.payload.get(
            "chunk_overlap_tokens", default_overlap(settings.chunk_overlap_tokens, target)
        )
    )
    if (problem := overlap_problem(overlap, target)) is not None:
        raise JobError(problem)
    try:
        count = await rechunk_transcript(
            db,
            transcript_id=job.entity_id,
            user_id=job.user_id,
            chunk_tokens=target,
            chunk_overlap_tokens=overlap,
            cpu=_cpu,
        )
    except ChunkingError as exc:
        raise JobError(str(exc)) from None
    if count is None:
        raise JobError(f"transcript {job.entity_id} not found")
    return {"chunks": count}


async def embed_transcript(db: asyncpg.Connection, job: Job, settings: Settings) -> Any:
    """Gives a transcript's chunks their vectors from the OpenAI-compatible endpoint at
    TUBEBASE_EMBEDDING_URL: entity ('transcript', id); payload may name the `model`
    (default TUBEBASE_EMBEDDING_MODEL), which must be registered with the same name.
    A refusal by the endpoint (4xx but 429) fails the job at once; anything else
    (unreachable, 429, 5xx) is retried with the queue's back-off."""
    if job.entity_type != "transcript" or job.entity_id is None:
        raise JobError("embed_transcript needs entity_type 'transcript' and an entity_id")
    if settings.embedding_url is None:
        raise JobError("embed_transcript needs TUBEBASE_EMBEDDING_URL (an OpenAI-compatible API)")
    name = job.payload.get("model") or settings.embedding_model
    if not isinstance(name, str):
        raise JobError("embed_transcript needs a model: payload.model or TUBEBASE_EMBEDDING_MODEL")
    try:
        model = await model_named(db, name)
    except EmbeddingError as exc:
        raise JobError(str(exc)) from None
    page = await chunks.list_by_transcript(
        db, transcript_id=job.entity_id, user_id=job.user_id, limit=1_000_000
    )
    if page is None:
        raise JobError(f"transcript {job.entity_id} not found")
    texts = [c.chunk_text for c in page.items]
    client = EmbeddingClient(
        settings.embedding_url,
        api_key=settings.embedding_api_key,
        batch_size=settings.embedding_batch_size,
        timeout_seconds=settings.embedding_timeout_seconds,
    )
    try:
        vectors = await client.embed(model.name, texts)
        packed = await _cpu.run(pack_vectors, vectors, model.dims, "the endpoint's vectors")
    except (EndpointRefused, EmbeddingError) as exc:
        raise JobError(str(exc)) from None
    # The texts were read before the (slow) endpoint answered: a re-ingest or rechunk
    # meanwhile raises ChunksChanged, and the job is retried on the new chunks.
    written = await replace_transcript_vectors(
        db,
        transcript_id=job.entity_id,
        user_id=job.user_id,
        model=model,
        vectors=packed,
        made_for=[c.id for c in page.items],
    )
    return {"model": model.name, "vectors": written}


async def purge_sessions(db: asyncpg.Connection, job: Job, settings: Settings) -> Any:
    """Deletes expired login sessions (of every user: they are dead already)."""
    return {"purged": await sessions.delete_expired(db)}


HANDLERS: dict[str, Handler] = {
    "chunk_transcript": chunk_transcript,
    "embed_transcript": embed_transcript,
    "purge_sessions": purge_sessions,
}


JOBS_CHANNEL = "tubebase_jobs"  # NOTIFYed by migration 0014's triggers
RELISTEN_SECONDS = 1.0
LISTEN_CONNECT_SECONDS = 2.0
LISTEN_CHECK_SECONDS = 15.0  # how often an idle worker asks whether its LISTEN still holds


class JobWakeup:
    """A LISTEN connection of its own (LISTEN belongs to a session, so not a pooled
    one) that sets `queued` whenever a job is queued. When the database goes away it
    stops listening, and `listen()` connects again on the worker's next round."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.queued = asyncio.Event()
        self._conn: asyncpg.Connection | None = None
        self._next_attempt = 0.0  # a failed LISTEN is tried again after RELISTEN_SECONDS
        self._checked_at = 0.0

    @property
    def listening(self) -> bool:
        return self._conn is not None and not self._conn.is_closed()

    async def listen(self) -> None:
        """Listens, unless it already does and its connection still answers."""
        if self.listening:
            await self._check()
        if self.listening or time.monotonic() < self._next_attempt:
            return
        conn = None
        try:
            conn = await asyncpg.connect(self.url, timeout=LISTEN_CONNECT_SECONDS)
            await conn.add_listener(JOBS_CHANNEL, self._notified)
            # Cut off, the worker must not sleep out its poll: it wakes, listens again.
            conn.add_termination_listener(self._notified)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            log.warning("cannot LISTEN for jobs (%s); polling until it can", exc)
            self._next_attempt = time.monotonic() + RELISTEN_SECONDS
            if conn is not None:
                conn.terminate()
            return
        self._conn = conn
        self._checked_at = time.monotonic()

    async def _check(self) -> None:
        """A connection cut without a word (a dropped NAT entry, a failed-over host)
        stays open here: only a question that goes unanswered shows it."""
        assert self._conn is not None
        if time.monotonic() - self._checked_at < LISTEN_CHECK_SECONDS:
            return
        try:
            async with asyncio.timeout(LISTEN_CONNECT_SECONDS):
                if await processing_jobs.is_listening(self._conn, channel=JOBS_CHANNEL):
                    self._checked_at = time.monotonic()
                    return
            log.warning("the LISTEN connection no longer listens; listening again")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            log.warning("the LISTEN connection does not answer (%r); listening again", exc)
        self._conn.terminate()
        self._conn = None  # listen() connects again, and the worker's round claims what waits

    def _notified(self, *_: object) -> None:
        self.queued.set()

    async def close(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()
        self._conn = None


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Worker:
    def __init__(
        self,
        pool: asyncpg.Pool,
        settings: Settings,
        *,
        name: str | None = None,
        concurrency: int = 4,
        handlers: dict[str, Handler] | None = None,
    ) -> None:
        self.pool = pool
        self.settings = settings
        self.name = name or default_worker_name()
        self.concurrency = concurrency
        self.refill = max(1, concurrency // 2)  # free slots that make a claim worth it
        self.handlers = HANDLERS if handlers is None else handlers
        self.backoff = Backoff(settings.job_backoff_seconds, settings.job_backoff_max_seconds)

    async def _keep_locked(self, running: "dict[asyncio.Task[None], tuple[Job, float]]") -> None:
        """Renews the locks of the jobs that have run a third of the stale time (most
        jobs end long before: they cost nothing here)."""
        since = time.monotonic() - self.settings.job_stale_seconds / 3
        long_running = [job.id for job, started in running.values() if started <= since]
        if long_running:
            await processing_jobs.keep_locked(self.pool, job_ids=long_running, worker=self.name)

    async def _reclaim(self) -> None:
        reclaimed = await processing_jobs.reclaim_stale(
            self.pool, stale_after_seconds=self.settings.job_stale_seconds
        )
        for job in reclaimed:
            log.warning("reclaimed job %s from %s", job.id, job.error_message)

    async def _claim(self, limit: int) -> list[Job]:
        return await processing_jobs.claim(
            self.pool, user_id=None, worker=self.name, limit=limit, job_types=list(self.handlers)
        )

    async def run_batch(self) -> int:
        """Reclaims abandoned jobs, claims up to `concurrency` ready ones and runs
        them concurrently; returns how many it ran."""
        await self._reclaim()
        claimed = await self._claim(self.concurrency)
        await asyncio.gather(*(self._run(job) for job in claimed))
        return len(claimed)

    async def run_until_idle(self) -> int:
        """Runs batches until no job is ready; returns how many jobs ran."""
        total = 0
        while ran := await self.run_batch():
            total += ran
        return total

    async def run_forever(
        self, stop: asyncio.Event, poll_seconds: float = 1.0, listen_url: str | None = None
    ) -> None:
        """Until `stop` is set, then lets the running jobs finish. A free slot takes
        the next job queued; through a backlog, slots are refilled once half are free
        (no batch waits for its slowest job). The locks of running jobs are renewed
        once a poll interval, so a long job is never taken for an abandoned one.
        With no job ready it waits for one to be queued (LISTEN on `listen_url`, a
        direct connection: not through PgBouncer) or for the poll, which also catches
        jobs whose run_after comes due and any lost notification. Abandoned jobs are
        reclaimed once a poll interval. A database outage is waited out: jobs it
        interrupted are reclaimed once their lock goes stale."""
        wakeup = JobWakeup(listen_url) if listen_url else None
        stopping = asyncio.create_task(stop.wait())
        running: dict[asyncio.Task[None], tuple[Job, float]] = {}  # and when it started
        reclaimed_at = -math.inf
        backlog = False  # the last claim came back full: more jobs are ready
        try:
            while not stop.is_set():
                if wakeup is not None:
                    await wakeup.listen()
                    wakeup.queued.clear()  # what is queued from here on wakes the wait below
                free = self.concurrency - len(running)
                if backlog and running and free < self.refill:
                    free = 0  # through a backlog, one claim per job that ends doubles the work
                claimed: list[Job] = []
                try:
                    if time.monotonic() - reclaimed_at >= poll_seconds:
                        await self._keep_locked(running)  # our long jobs are not stale
                        await self._reclaim()
                        reclaimed_at = time.monotonic()
                    if free:
                        claimed = await self._claim(free)
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    log.exception("worker could not claim or reclaim; trying again")
                for job in claimed:
                    task = asyncio.create_task(self._run(job))
                    running[task] = (job, time.monotonic())
                    task.add_done_callback(self._ended(running))
                if free:
                    backlog = len(claimed) == free
                slots = self.concurrency - len(running)
                if backlog and slots >= self.refill:
                    continue  # the queue holds more
                # Through a backlog, wait for slots to free; else for a job to be queued.
                await self._idle(
                    stopping, set(running), wakeup, poll_seconds, full=backlog or not slots
                )
        finally:
            stopping.cancel()
            await asyncio.gather(*running, return_exceptions=True)  # let them finish
            if wakeup is not None:
                await wakeup.close()

    @staticmethod
    def _ended(
        running: "dict[asyncio.Task[None], tuple[Job, float]]",
    ) -> Callable[[asyncio.Task[None]], None]:
        def ended(task: asyncio.Task[None]) -> None:
            running.pop(task, None)
            if not task.cancelled() and task.exception() is not None:
                # _run records the job's own failures; this is the database failing it
                log.error("job ended without its outcome recorded", exc_info=task.exception())

        return ended

    @staticmethod
    async def _idle(
        stopping: asyncio.Task[Any],
        running: set[asyncio.Task[None]],
        wakeup: "JobWakeup | None",
        poll_seconds: float,
        *,
        full: bool,
    ) -> None:
        """Until a slot frees (when all are taken), a job is queued, stop, or the poll."""
        waits: set[asyncio.Future[Any]] = {stopping}
        timeout = poll_seconds
        queued = None
        if full:
            waits |= running
        elif wakeup is not None:
            if wakeup.listening:
                queued = asyncio.create_task(wakeup.queued.wait())
                waits.add(queued)
                timeout = min(poll_seconds, LISTEN_CHECK_SECONDS)  # then check the LISTEN
            else:  # try to LISTEN again soon, whatever the poll
                timeout = min(poll_seconds, RELISTEN_SECONDS)
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if queued is not None:
            queued.cancel()

    async def _run(self, job: Job) -> None:
        handler = self.handlers[job.job_type]
        async with self.pool.acquire() as conn:
            try:
                async with conn.transaction():
                    result = await handler(conn, job, self.settings)
                    done = await processing_jobs.complete(
                        conn, job_id=job.id, user_id=job.user_id, result=result, worker=self.name
                    )
                    if done is None:
                        raise _NoLongerOurs
                log.info("job %s (%s) completed", job.id, job.job_type)
            except _NoLongerOurs:
                log.warning("job %s was cancelled or taken back while it ran: work undone", job.id)
            except Exception as exc:  # any failure of the work is the job's failure
                message = str(exc) if isinstance(exc, JobError) else f"{type(exc).__name__}: {exc}"
                failed = await processing_jobs.fail(
                    conn,
                    job_id=job.id,
                    user_id=job.user_id,
                    error_message=message,
                    backoff=self.backoff,
                    retry=not isinstance(exc, JobError),
                    worker=self.name,
                )
                log.warning(
                    "job %s (%s) failed: %s; now %s",
                    job.id,
                    job.job_type,
                    message,
                    failed.status if failed else "gone",
                )
