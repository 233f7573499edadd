"""The Litestar application: routes, dependencies, error handling, lifespan."""

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

import asyncpg
from asyncpg.exceptions._base import DataError as ClientDataError
from litestar import Litestar, get
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.exceptions import NotFoundException, ValidationException
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.response import Redirect
from litestar.router import Router
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

from service.api import (
    auth,
    channels,
    config,
    conversations,
    health,
    jobs,
    meetings,
    processing_sessions,
    retrieval,
    search,
    templates,
    transcripts,
    videos,
)
from service.api.deps import (
    auth_middleware,
    provide_db,
    provide_page,
    provide_read_db,
    provide_session_token,
    provide_user,
)
from service.api.errors import (
    UNAVAILABLE,
    database_error_handler,
    log_unexpected,
    not_found_handler,
    too_deep_handler,
    unavailable_handler,
)
from service.api.hardening import security_headers, strict_bodies
from service.api.openapi import complete as complete_openapi
from service.api.openapi import operation_id
from service.api.pages import LIST_HEADERS, NEXT_HEADER
from service.api.validation import validation_error_handler
from service.cpu import CpuPool
from service.db import create_pool
from service.queries import login_throttle, sessions
from service.replica import Replica
from service.settings import Settings
from service.tooling.migrations import migration_ids

log = logging.getLogger(__name__)

SESSION_PURGE_INTERVAL_SECONDS = 3600


async def _purge_expired_sessions(pool: asyncpg.Pool, settings: Settings) -> None:
    """Expired login sessions, and login throttling that has nothing left to say."""
    while True:
        try:
            purged = await sessions.delete_expired(pool)
            if purged:
                log.info("purged %d expired sessions", purged)
            await login_throttle.delete_expired(pool, window_seconds=settings.login_window_seconds)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            log.warning("could not purge expired sessions", exc_info=True)
        await asyncio.sleep(SESSION_PURGE_INTERVAL_SECONDS)


def _cors(settings: Settings) -> CORSConfig | None:
    """Browsers on these origins may call the API (off unless configured)."""
    if not settings.cors_origins:
        return None
    return CORSConfig(
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=[*LIST_HEADERS, NEXT_HEADER, "Location", "Retry-After"],
        max_age=600,
    )


# The API docs are Swagger UI, its files served from the installed swagger-ui-bundle-v2
# package (swagger-ui-dist 5.x; no CDN: the docs work offline, and the Content-Security-
# Policy of /schema allows only this origin). Everything under /schema is public.
DOCS_PAGE = "/schema/swagger"
DOCS_ASSETS = "/schema/assets"


def _docs_plugins() -> list[SwaggerRenderPlugin | JsonRenderPlugin | YamlRenderPlugin]:
    return [
        SwaggerRenderPlugin(
            js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{DOCS_ASSETS}/favicon-32x32.png'>",
        ),
        JsonRenderPlugin(),
        YamlRenderPlugin(),
    ]


def _docs_assets() -> Router:
    return create_static_files_router(
        DOCS_ASSETS,
        directories=[str(swagger_ui_path)],
        name="docs_assets",
        include_in_schema=False,
        opt={"exclude_from_auth": True},
    )


@get("/", include_in_schema=False, exclude_from_auth=True, sync_to_thread=False)
def docs_root() -> Redirect:
    """The root leads to the API docs."""
    return Redirect(DOCS_PAGE)


def tune_gc() -> None:
    """A request allocates thousands of objects (Litestar, asyncpg records, JSON), so
    with the default threshold of 700 the cyclic collector ran several times per
    request, each time walking the tens of thousands of long-lived objects the imports
    and the app made. Those move to a generation it never walks, and a young
    collection waits for 50,000 allocations: +10-17% requests/s on GET messages,
    measured A/B. Request garbage is acyclic and freed by reference counting either
    way. Call it once the app is made."""
    gc.freeze()
    gc.set_threshold(50_000, 50, 50)


CONNECT_SECONDS = 10


def create_app(settings: Settings, database_url: str) -> Litestar:
    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        pool = await create_pool(
            database_url,
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            session=settings.server_settings(),
            # Not the acquire timeout: that bounds a request's whole acquire, a new
            # connection included, while the pool's first connections at start-up
            # may take longer than it on a busy machine (200 ms failed the start).
            connect_timeout=max(settings.pool_acquire_timeout_ms / 1000, CONNECT_SECONDS),
            statement_cache_size=settings.statement_cache_size,
        )
        app.state.pool = pool
        app.state.replica = None
        if settings.database_read_url:
            # min_size 0: a replica that is down at start-up leaves reads to the primary
            read_pool = await create_pool(
                settings.database_read_url,
                min_size=0,
                max_size=settings.pool_max_size,
                session=settings.server_settings(),
                connect_timeout=settings.replica_max_wait_ms / 1000 or 1,
                statement_cache_size=settings.statement_cache_size,
            )
            app.state.replica = Replica(read_pool, settings.replica_max_wait_ms / 1000)
        app.state.settings = settings
        app.state.cpu = CpuPool(workers=settings.cpu_workers, queue=settings.cpu_queue)
        app.state.migrations = migration_ids()
        purger = asyncio.create_task(_purge_expired_sessions(pool, settings))
        try:
            yield
        finally:
            purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purger
            app.state.cpu.shutdown()
            if app.state.replica is not None:
                await app.state.replica.pool.close()
            await pool.close()

    app = Litestar(
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
            retrieval.search_by_meaning,
            retrieval.similar_chunks,
            retrieval.list_embedding_models,
            processing_sessions.ProcessingSessionController,
            jobs.JobController,
            meetings.MeetingController,
            meetings.SynthesisController,
            docs_root,
            _docs_assets(),
        ],
        dependencies={
            "db": Provide(provide_db),
            "read_db": Provide(provide_read_db),
            "user": Provide(provide_user),
            "session_token": Provide(provide_session_token),
            "page": Provide(provide_page),
        },
        exception_handlers={
            **dict.fromkeys(UNAVAILABLE, unavailable_handler),
            asyncpg.PostgresError: database_error_handler,
            ClientDataError: database_error_handler,
            NotFoundException: not_found_handler,
            RecursionError: too_deep_handler,
            ValidationException: validation_error_handler,
        },
        lifespan=[lifespan],
        # Authentication first: a request without a valid token is a 401 whatever
        # its body; then the body's type and content.
        middleware=[auth_middleware, strict_bodies],
        before_send=[security_headers],
        after_exception=[log_unexpected],
        # The CLI sets up logging (TUBEBASE_LOG_LEVEL); Litestar's default would
        # turn the root logger to INFO, and uvicorn's access log on with it.
        logging_config=LoggingConfig(configure_root_logger=False),
        cors_config=_cors(settings),
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="tubebase",
            version="0.1.0",
            description="Data service for video-knowledge apps.",
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"BearerToken": []}],
            render_plugins=_docs_plugins(),
            use_handler_docstrings=True,
            operation_id_creator=operation_id,
        ),
    )
    complete_openapi(app)
    return app
