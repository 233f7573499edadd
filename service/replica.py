"""Heavy reads on a streaming replica (DATABASE_READ_URL), never staler than the
primary was when the read began, so a caller always reads its own writes: the
request asks the primary for its WAL position (one round trip on the connection it
already holds), then takes a replica connection once the replica has replayed that
far. A replica further behind than TUBEBASE_REPLICA_MAX_WAIT_MS, or down, leaves the
read to the primary; a replica that failed is left alone for a second before it is
tried again. Nothing here is kept between requests but that second, so every
service process decides alike."""

import asyncio
import logging
import time

import asyncpg

from service.queries import replication

log = logging.getLogger(__name__)

_FAILURES = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)
RETRY_AFTER_FAILURE_SECONDS = 1.0
_POLL_SECONDS = 0.002


class Replica:
    def __init__(self, pool: asyncpg.Pool, max_wait_seconds: float) -> None:
        self.pool = pool
        self.max_wait_seconds = max_wait_seconds
        self._resting_until = 0.0
        # what /health/ready reports: reads the replica served, and left to the primary
        self.served = 0
        self.fell_back = 0

    async def caught_up(self, primary: asyncpg.Connection) -> asyncpg.Connection | None:
        """A replica connection that holds everything the primary had committed when
        this was called, or None: read from the primary."""
        conn = await self._caught_up(primary)
        if conn is None:
            self.fell_back += 1
        else:
            self.served += 1
        return conn

    async def _caught_up(self, primary: asyncpg.Connection) -> asyncpg.Connection | None:
        if time.monotonic() < self._resting_until:
            return None
        position = await replication.primary_position(primary)
        deadline = time.monotonic() + self.max_wait_seconds
        try:
            conn: asyncpg.Connection = await self.pool.acquire(timeout=self.max_wait_seconds)
        except _FAILURES as exc:
            self._rest(exc)
            return None
        try:
            while not await replication.caught_up(conn, position=position):
                if time.monotonic() >= deadline:
                    await self.pool.release(conn)
                    return None
                await asyncio.sleep(_POLL_SECONDS)
        except _FAILURES as exc:
            await self.pool.release(conn)
            self._rest(exc)
            return None
        except BaseException:  # cancelled while waiting: the connection goes back too
            await self.pool.release(conn)
            raise
        return conn

    async def release(self, conn: asyncpg.Connection) -> None:
        await self.pool.release(conn)

    def _rest(self, exc: BaseException) -> None:
        log.warning("replica unavailable (%s); reading from the primary", exc)
        self._resting_until = time.monotonic() + RETRY_AFTER_FAILURE_SECONDS
