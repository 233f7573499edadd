"""Liveness (the process) and readiness (the database answers and its schema is the
one this code expects)."""

from typing import Any

import asyncpg
from litestar import Response, get
from litestar.datastructures import State
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from service.queries import migrations


@get("/health/live", exclude_from_auth=True, tags=["health"], summary="The process is up")
async def live() -> dict[str, str]:
    """200 while the process serves requests; the database is not asked. Needs no token."""
    return {"status": "ok"}


def _unavailable(reason: str) -> Response[dict[str, Any]]:
    return Response(
        {"status": "unavailable", "database": reason},
        status_code=HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": "1"},
    )


@get(
    "/health/ready",
    exclude_from_auth=True,
    tags=["health"],
    summary="The database answers and every migration is applied",
)
async def ready(state: State) -> Response[dict[str, Any]]:
    """200 when a pooled connection is free within 2 s, the database answers and every migration
    this code ships is applied; otherwise 503 with `Retry-After: 1` and the reason in `database`
    (unreachable, or how many migrations are missing). With DATABASE_READ_URL, `replica_reads`
    counts the heavy reads the replica served and those left to the primary. Needs no token."""
    pool: asyncpg.Pool = state.pool
    expected: list[str] = state.migrations
    try:
        async with pool.acquire(timeout=2) as conn:
            applied = await migrations.count_applied(conn, migration_ids=expected)
    except asyncpg.UndefinedTableError:
        applied = 0
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return _unavailable(f"unreachable: {type(exc).__name__}")
    if applied < len(expected):
        return _unavailable(
            f"schema behind: {len(expected) - applied} of {len(expected)} migrations not "
            "applied (run `tubebase db apply`)"
        )
    body: dict[str, Any] = {"status": "ok", "database": "ok"}
    if state.replica is not None:  # a replica never makes the service unready
        body["replica_reads"] = {"served": state.replica.served, "primary": state.replica.fell_back}
    return Response(body, status_code=HTTP_200_OK)
