"""The Litestar application: routes, dependencies, error handling, lifespan."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import asyncpg
from asyncpg.exceptions._base import DataError as ClientDataError
from litestar import Litestar
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from service.api import (
    auth,
    channels,
    config,
    conversations,
    health,
    jobs,
    meetings,
    processing_sessions,
    search,
    templates,
    transcripts,
    videos,
)
from service.api.deps import auth_middleware, provide_db, provide_page, provide_user
from service.api.errors import (
    UNAVAILABLE,
    database_error_handler,
    not_found_handler,
    too_deep_handler,
    unavailable_handler,
)
from service.cpu import CpuPool
from service.db import create_pool
from service.migrations import migration_ids
from service.queries import sessions
from service.settings import Settings

log = logging.getLogger(__name__)

SESSION_PURGE_INTERVAL_SECONDS = 3600


async def _purge_expired_sessions(pool: asyncpg.Pool) -> None:
    while True:
        try:
            purged = await sessions.delete_expired(pool)
            if purged:
                log.info("purged %d expired sessions", purged)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            log.warning("could not purge expired sessions", exc_info=True)
        await asyncio.sleep(SESSION_PURGE_INTERVAL_SECONDS)


def create_app(settings: Settings, database_url: str) -> Litestar:
    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        pool = await create_pool(
            database_url,
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            session=settings.server_settings(),
            connect_timeout=settings.pool_acquire_timeout_ms / 1000,
        )
        app.state.pool = pool
        app.state.settings = settings
        app.state.cpu = CpuPool(workers=settings.cpu_workers, queue=settings.cpu_queue)
        app.state.migrations = migration_ids()
        purger = asyncio.create_task(_purge_expired_sessions(pool))
        try:
            yield
        finally:
            purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purger
            app.state.cpu.shutdown()
            await pool.close()

    return Litestar(
        route_handlers=[
            health.live,
            health.ready,
            auth.AuthController,
            auth.me,
            conversations.ConversationController,
            templates.TemplateController,
            config.ConfigController,
            channels.ChannelController,
            videos.VideoController,
            transcripts.TranscriptController,
            search.search,
            processing_sessions.ProcessingSessionController,
            jobs.JobController,
            meetings.MeetingController,
            meetings.SynthesisController,
        ],
        dependencies={
            "db": Provide(provide_db),
            "user": Provide(provide_user),
            "page": Provide(provide_page),
        },
        exception_handlers={
            **dict.fromkeys(UNAVAILABLE, unavailable_handler),
            asyncpg.PostgresError: database_error_handler,
            ClientDataError: database_error_handler,
            NotFoundException: not_found_handler,
            RecursionError: too_deep_handler,
        },
        lifespan=[lifespan],
        middleware=[auth_middleware],
        openapi_config=OpenAPIConfig(
            title="tubebase",
            version="0.1.0",
            description="Data service for video-knowledge apps.",
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"BearerToken": []}],
        ),
    )
