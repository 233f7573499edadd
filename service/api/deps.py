"""Request-scoped dependencies: a connection in a transaction, the caller, a page."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

import asyncpg
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.middleware import (
    AbstractAuthenticationMiddleware,
    AuthenticationResult,
    DefineMiddleware,
)
from litestar.params import QueryParameter

from service.api.pages import Page
from service.queries import sessions
from service.queries.users import User
from service.security import hash_token

MAX_PAGE = 500


# What handlers ask for by name; app.py provides each.
Db = NamedDependency[asyncpg.Connection]
CurrentUser = NamedDependency[User]
Admin = NamedDependency[User]
Paging = NamedDependency[Page]


async def provide_db(state: State) -> AsyncIterator[asyncpg.Connection]:
    """The seed's get_db: one connection and one transaction per request. An exception
    raised by the handler is thrown in here, so the transaction rolls back."""
    pool: asyncpg.Pool = state.pool
    async with pool.acquire() as conn, conn.transaction():
        yield conn


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = connection.headers.get("authorization")
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
    Handlers marked `exclude_from_auth=True` (and /schema) are public."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        pool: asyncpg.Pool = connection.app.state.pool
        token = bearer_token(connection)
        user = await sessions.get_user_by_token(pool, token_hash=hash_token(token))
        if user is None:
            raise NotAuthorizedException(
                "token is invalid or expired: log in again", headers={"WWW-Authenticate": "Bearer"}
            )
        return AuthenticationResult(user=user, auth=token)


auth_middleware = DefineMiddleware(BearerTokenAuth, exclude=["^/schema"])


async def provide_user(request: Request[User, str, Any]) -> User:
    return request.user


async def provide_admin(user: CurrentUser) -> User:
    if not user.is_admin:
        raise PermissionDeniedException("only an admin may do this")
    return user


async def provide_page(
    request: Request[Any, Any, Any],
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="page size")] = 50,
    offset: Annotated[int, QueryParameter(ge=0, description="rows to skip")] = 0,
    after: Annotated[
        str | None,
        QueryParameter(
            max_length=500,
            description="cursor from the previous page's Link header (instead of offset)",
        ),
    ] = None,
) -> Page:
    return Page(request, limit, offset, after)
