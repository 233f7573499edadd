import asyncpg
from litestar import Response, get
from litestar.datastructures import State
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE


@get("/health/live", exclude_from_auth=True, tags=["health"], summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@get("/health/ready", exclude_from_auth=True, tags=["health"], summary="The database answers")
async def ready(state: State) -> Response[dict[str, str]]:
    pool: asyncpg.Pool = state.pool
    try:
        async with pool.acquire(timeout=2) as conn:
            await conn.fetchval("SELECT 1", timeout=2)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        return Response(
            {"status": "unavailable", "database": f"unreachable: {type(exc).__name__}"},
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
        )
    return Response({"status": "ok", "database": "ok"}, status_code=HTTP_200_OK)
