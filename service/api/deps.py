"""Request-scoped dependencies: the request's one connection, the caller, a page."""

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

import asyncpg
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.middleware import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
    DefineMiddleware,
)
from litestar.params import QueryParameter
from litestar.types import Message, Receive, Scope, Send

from service.api.errors import UNAVAILABLE, error_response, unavailable_handler
from service.api.pages import Page
from service.queries import sessions
from service.queries.users import User
from service.replica import Replica
from service.security import hash_token

MAX_PAGE = 500


# What handlers ask for by name; app.py provides each.
Db = NamedDependency[asyncpg.Connection]
# A heavy read's connection: a replica caught up with the primary, or `db` itself.
ReadDb = NamedDependency[asyncpg.Connection]
CurrentUser = NamedDependency[User]
# The hash of the caller's bearer token, for a route whose statement finds the caller
# itself (TOKEN_IN_STATEMENT).
SessionToken = NamedDependency[str]
Admin = NamedDependency[User]
Paging = NamedDependency[Page]


class RequestConnection:
    """The one pooled connection a request uses, taken when first needed (by the
    token lookup, or by a public handler's `db`) and given back once: after the
    handler's transaction commits, before the answer is sent, or at the latest when
    the request ends (`async with` it gives the connection back on the way out).
    A pool with no free connection within the acquire timeout raises TimeoutError
    (answered 503)."""

    SCOPE_KEY = "tubebase.connection"

    def __init__(self, pool: asyncpg.Pool, timeout: float) -> None:
        self._pool = pool
        self._timeout = timeout
        self._conn: asyncpg.Connection | None = None
        self._replica: tuple[Replica, asyncpg.Connection] | None = None

    @classmethod
    def of(cls, connection: ASGIConnection[Any, Any, Any, Any]) -> "RequestConnection":
        found: RequestConnection | None = connection.scope.get(cls.SCOPE_KEY)  # type: ignore[assignment]
        if found is None:  # a route outside the middleware's reach
            state = connection.app.state
            found = cls(state.pool, state.settings.pool_acquire_timeout_ms / 1000)
            connection.scope[cls.SCOPE_KEY] = found  # type: ignore[literal-required]
        return found

    async def get(self) -> asyncpg.Connection:
        if self._conn is None:
            # Not acquire(timeout=...): asyncpg runs that acquire in a task of its own
            # (asyncio.wait_for), a timeout scope does not.
            async with asyncio.timeout(self._timeout):
                self._conn = await self._pool.acquire()
        return self._conn

    async def read(self, replica: Replica) -> asyncpg.Connection:
        """A replica connection caught up with this request's primary connection
        (service/replica.py), or the primary connection itself; given back with it."""
        primary = await self.get()
        if self._replica is None:
            conn = await replica.caught_up(primary)
            if conn is None:
                return primary
            self._replica = (replica, conn)
        return self._replica[1]

    async def release(self, error: BaseException | None = None) -> None:
        """`error`: what ended the request, if anything did. After a broken
        connection's error the primary connection is closed rather than pooled: its
        protocol may be mid-operation, and the next request to get it would fail."""
        replica, self._replica = self._replica, None
        conn, self._conn = self._conn, None
        try:
            if replica is not None:
                await replica[0].release(replica[1])
        finally:
            if conn is not None:
                if isinstance(error, BROKEN_CONNECTION):
                    conn.terminate()
                await self._pool.release(conn)

    async def __aenter__(self) -> "RequestConnection":
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: Any
    ) -> None:
        await self.release(error)


# Errors after which a connection's state is unknown (the server went away or the
# driver lost track of the protocol).
BROKEN_CONNECTION = (
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    asyncpg.PostgresConnectionError,
    OSError,
)

ONE_STATEMENT = {"transaction": False}
# A route whose one statement looks up the caller's session itself (a query
# `..._for_session`): the request makes one round trip, not two (token, then the
# statement). The middleware still refuses a missing or malformed header at once,
# and an error answer comes only after the token is known live, so such a route too
# answers 401 to a request with a dead token whatever else is wrong with it.
TOKEN_IN_STATEMENT = {"token_in_statement": True}


async def provide_db(request: Request[Any, Any, Any]) -> AsyncIterator[asyncpg.Connection]:
    """The request's connection. A read (GET, HEAD) runs its statements as they
    come, without BEGIN and COMMIT; a write runs in one transaction, which an
    exception from the handler rolls back (a handler with opt transaction=False,
    ONE_STATEMENT, commits each statement itself: for a handler that runs one
    statement, that one statement is the request's transaction). Either way the
    connection goes back to the pool before the answer is sent."""
    held = RequestConnection.of(request)
    conn = await held.get()
    async with held:
        if request.method in ("GET", "HEAD") or not request.route_handler.opt.get(
            "transaction", True
        ):
            yield conn
        else:
            async with conn.transaction():
                yield conn


async def provide_read_db(request: Request[Any, Any, Any], user: CurrentUser) -> asyncpg.Connection:
    """For the heavy reads (search, lists): with DATABASE_READ_URL, a replica
    connection once the replica holds what the primary had committed when the read
    began, else the request's own connection. Not a generator: the request's
    connection holder gives the replica connection back with its own, so `db` stays
    the only dependency with a cleanup step (two would be closed in a task group)."""
    return await _read_connection(request)


async def provide_session_read_db(
    request: Request[Any, Any, Any], session_token: SessionToken
) -> asyncpg.Connection:
    """read_db, for a TOKEN_IN_STATEMENT route (after `session_token`, not `user`)."""
    return await _read_connection(request)


async def _read_connection(request: Request[Any, Any, Any]) -> asyncpg.Connection:
    replica = request.app.state.replica
    held = RequestConnection.of(request)
    return await held.get() if replica is None else await held.read(replica)


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    # From the raw headers: building Litestar's Headers for one lookup cost ~2% of a POST.
    raw = connection.scope["headers"]
    header = next((v.decode("latin-1") for k, v in raw if k.lower() == b"authorization"), None)
    if not header:
        raise NotAuthorizedException(
            "missing Authorization header: send 'Authorization: Bearer <token>' from /auth/login",
            headers={"WWW-Authenticate": "Bearer"},
        )
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException(
            "malformed Authorization header: expected 'Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


class BearerTokenAuth(AbstractAuthenticationMiddleware):
    """Identifies the caller before anything else about the request is looked at, so
    a request without a valid token answers 401 whatever else is wrong with it.
    Handlers marked `exclude_from_auth=True` (and /schema) are public. The token
    lookup takes the request's connection, which the handler then uses too."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope["litestar_app"].state
        held = RequestConnection(state.pool, state.settings.pool_acquire_timeout_ms / 1000)
        scope[RequestConnection.SCOPE_KEY] = held  # type: ignore[literal-required]
        async with held:
            if _token_in_statement(scope):
                scope[LOOKUP_IN_STATEMENT] = True  # type: ignore[literal-required]
                await self._token_in_statement(scope, receive, send)
            else:
                await super().__call__(scope, receive, send)

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = bearer_token(connection)
        if connection.scope.get(LOOKUP_IN_STATEMENT):
            return AuthenticationResult(user=None, auth=token)
        return AuthenticationResult(user=await _caller(connection, token), auth=token)

    async def _token_in_statement(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Success means the route's statement found the token live. A 4xx answer is
        held back until the handler is done, and it and an exception that escaped the
        route go out only once a lookup has found the token live too: a dead token
        answers 401. An outage's own 503 goes out as it is: it says nothing about the
        request, and a second wait for the database would only double the wait."""
        held_back: list[Message] = []

        async def send_unless_refusal(message: Message) -> None:
            if held_back or (
                message["type"] == "http.response.start" and 400 <= message["status"] < 500
            ):
                held_back.append(message)
            else:
                await send(message)

        try:
            await super().__call__(scope, receive, send_unless_refusal)
        except Exception as error:
            if held_back:  # the route answered, then failed (a background task, say)
                await _send_held_back(scope, receive, send, held_back)
            elif not isinstance(error, UNAVAILABLE_ERRORS):
                await _confirm_live(scope)
            raise
        if held_back:
            await _send_held_back(scope, receive, send, held_back)


def _token_in_statement(scope: Scope) -> bool:
    """Whether this request's statement checks its token. Not for a body over
    TOKEN_IN_STATEMENT_MAX_BODY (or of unknown length): a caller without a live token
    must not get a large body read and parsed; it is refused before, as anywhere."""
    if not scope["route_handler"].opt.get("token_in_statement"):
        return False
    if scope.get("method") in ("GET", "HEAD"):
        return True
    length = next((v for k, v in scope["headers"] if k.lower() == b"content-length"), None)
    return length is not None and length.isdigit() and int(length) <= TOKEN_IN_STATEMENT_MAX_BODY


# A chat message's size, and far below TUBEBASE_MAX_BODY_BYTES.
TOKEN_IN_STATEMENT_MAX_BODY = 64 * 1024
# Set on a request whose statement checks its token (decided once, in __call__).
LOOKUP_IN_STATEMENT = "tubebase.lookup_in_statement"


async def _send_held_back(
    scope: Scope, receive: Receive, send: Send, held_back: list[Message]
) -> None:
    """The held-back answer if the token is live; else a 401, or the 503 of a lookup
    that failed (its broken connection closed, not pooled). The answer is built here,
    not raised: Litestar counts the held-back start as sent, and would turn an
    exception raised now into a 500."""
    try:
        await _confirm_live(scope)
    except NotAuthorizedException as refusal:
        answer = error_response(refusal.status_code, refusal.detail)
        answer.headers.update(refusal.headers or {})
    except UNAVAILABLE_ERRORS as error:
        await RequestConnection.of(ASGIConnection(scope)).release(error)
        answer = unavailable_handler(Request(scope), error)
    else:
        for message in held_back:
            await send(message)
        return
    await answer.to_asgi_response(None, Request(scope))(scope, receive, send)


UNAVAILABLE_ERRORS = tuple(UNAVAILABLE)


def _dead_token() -> NotAuthorizedException:
    return NotAuthorizedException(
        "token is invalid or expired: log in again", headers={"WWW-Authenticate": "Bearer"}
    )


async def _caller(connection: ASGIConnection[Any, Any, Any, Any], token: str) -> User:
    conn = await RequestConnection.of(connection).get()
    user = await sessions.get_user_by_token(conn, token_hash=hash_token(token))
    if user is None:
        raise _dead_token()
    return user


async def _confirm_live(scope: Scope) -> None:
    """Raises 401 for a dead token (and the lookup's own error if it fails); nothing
    to do when the header was refused already (no token)."""
    token = scope.get("auth")
    if token is not None:
        await _caller(ASGIConnection(scope), token)


auth_middleware = DefineMiddleware(BearerTokenAuth, exclude=["^/schema"])


# Litestar resolves the dependencies of one "batch" (none needing another) in a task
# group of their own, and closes two generator dependencies in another: each costs
# more than a request's whole query (about 50 µs of a list's 470 µs, measured). So
# the dependencies a handler names form one chain: `user` names `db`, `read_db`
# names `user`, and `page` names `user`, or `read_db` in the handlers that read on
# the replica (READ_PAGE); a TOKEN_IN_STATEMENT handler has `session_token` where
# the others have `user` (SESSION_READ_PAGE); tests/api/test_dependencies.py holds
# every route to it.


async def provide_user(request: Request[User, str, Any], db: Db) -> User:
    return request.user


async def provide_session_token(request: Request[Any, str, Any], db: Db) -> str:
    return hash_token(request.auth)


async def provide_admin(user: CurrentUser) -> User:
    if not user.is_admin:
        raise PermissionDeniedException("only an admin may do this")
    return user


Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="page size")]
Offset = Annotated[int, QueryParameter(ge=0, description="rows to skip")]
After = Annotated[
    str | None,
    QueryParameter(
        max_length=500,
        description="cursor from the previous page's Link header (instead of offset)",
    ),
]


async def provide_page(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    limit: Limit = 50,
    offset: Offset = 0,
    after: After = None,
) -> Page:
    return Page(request, limit, offset, after)


async def provide_read_page(
    request: Request[Any, Any, Any],
    read_db: ReadDb,
    limit: Limit = 50,
    offset: Offset = 0,
    after: After = None,
) -> Page:
    return Page(request, limit, offset, after)


# For a handler that names both `read_db` and `page`.
READ_PAGE = {"page": Provide(provide_read_page)}
# The same, for a TOKEN_IN_STATEMENT handler (`session_token`, then `read_db`, then `page`).
SESSION_READ_PAGE = {**READ_PAGE, "read_db": Provide(provide_session_read_db)}
