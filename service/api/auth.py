"""Register, log in and out, and who am I."""

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.exceptions import (
    NotAuthorizedException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from service import passwords
from service.api.created import created
from service.api.deps import CurrentUser, Db, bearer_token
from service.fields import END, Email
from service.queries import login_throttle, sessions, users
from service.queries.generated import users as user_columns
from service.queries.users import User
from service.security import hash_password, hash_token, new_token, verify_password

USERNAME = Annotated[
    user_columns.Username, msgspec.Meta(min_length=3, pattern=rf"^[A-Za-z0-9_.-]+{END}")
]
PASSWORD = Annotated[
    str,
    msgspec.Meta(min_length=passwords.MIN_NON_BLANK, max_length=1024, pattern=passwords.PATTERN),
]


class Registration(msgspec.Struct, forbid_unknown_fields=True):
    username: USERNAME
    email: Email
    password: PASSWORD


class Login(msgspec.Struct, forbid_unknown_fields=True):
    login: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class Token(msgspec.Struct, frozen=True):
    token: str
    token_type: str
    expires_at: datetime


def _too_many(seconds: int) -> TooManyRequestsException:
    return TooManyRequestsException(
        f"too many failed logins: try again in {seconds} s",
        headers={"Retry-After": str(seconds)},
    )


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/register", exclude_from_auth=True, summary="Create an account")
    async def register(self, data: JSONBody[Registration], db: Db, state: State) -> Response[User]:
        """Creates an active account without admin rights and answers it with `Location: /users/me`;
        log in next for a token. Username and e-mail are unique whatever their case (409). The
        password needs 8 characters that are not spaces and must not be a common password, the
        username or the e-mail address (400)."""
        broken = passwords.problem(data.password, username=data.username, email=data.email)
        if broken is not None:
            raise ValidationException(broken)
        password_hash = await state.cpu.run(hash_password, data.password)
        user = await users.create(
            db, username=data.username, email=data.email, password_hash=password_hash
        )
        return created(user, "/users/me")

    @post(
        "/login",
        exclude_from_auth=True,
        status_code=HTTP_200_OK,
        summary="Trade a username or e-mail and password for a token",
        # A failed attempt is recorded although the answer is a 401: no rollback.
        opt={"transaction": False, "also_answers": [401, 403, 429]},
    )
    async def login(
        self, request: Request[Any, Any, Any], data: JSONBody[Login], db: Db, state: State
    ) -> Response[Token]:
        """`login` is a username or an e-mail, in any case. The bearer token answered lasts the
        session TTL (7 days by default) and comes with `Cache-Control: no-store`. A wrong password
        or an unknown login is 401 and counts against that login and the client address: from the
        5th failure within 15 minutes (defaults) logins to it wait 1 s, then 2, 4, and so on (429
        with `Retry-After`). A disabled account is 403, and only once the password is right."""
        settings = state.settings
        address = request.client.host if request.client else "unknown"
        attempt = await users.get_credentials(
            db,
            login=data.login,
            address=address,
            address_failures=settings.login_address_failures,
            window_seconds=settings.login_window_seconds,
        )
        if attempt.wait_seconds > 0:
            raise _too_many(attempt.wait_seconds)
        if attempt.address_spraying and attempt.failed_lately:
            raise _too_many(settings.login_window_seconds)
        matches = await state.cpu.run(verify_password, attempt.password_hash, data.password)
        if not matches or attempt.id is None:
            await login_throttle.record_failure(
                db,
                user_id=attempt.id,
                login=data.login,
                address=address,
                account_failures=settings.login_account_failures,
                window_seconds=settings.login_window_seconds,
                max_wait_seconds=settings.login_max_wait_seconds,
            )
            raise NotAuthorizedException("wrong login or password")
        if not attempt.is_active:
            raise PermissionDeniedException("this account is disabled")
        await login_throttle.record_success(db, user_id=attempt.id)
        token = new_token()
        session = await sessions.create(
            db,
            user_id=attempt.id,
            token_hash=hash_token(token),
            ttl_seconds=settings.session_ttl_seconds,
        )
        body = Token(token=token, token_type="bearer", expires_at=session.expires_at)  # noqa: S106
        return Response(body, headers={"Cache-Control": "no-store"})

    @post("/logout", status_code=HTTP_204_NO_CONTENT, summary="End this token's session")
    async def logout(self, request: Request[Any, Any, Any], db: Db, user: CurrentUser) -> None:
        """Revokes the session of the token sent, which answers 401 from then on; the account's
        other sessions stay valid."""
        await sessions.delete_by_token(db, token_hash=hash_token(bearer_token(request)))


# No dependency: the token lookup has the account already, and resolving `user` (with
# the `db` it names) cost this route about 7% of its CPU, measured A/B.
@get("/users/me", tags=["auth"], summary="The caller's account")
async def me(request: Request[User, str, Any]) -> User:
    """The account the bearer token belongs to. An expired or revoked token, or one of a disabled
    account, is 401."""
    return request.user
