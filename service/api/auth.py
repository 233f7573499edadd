"""Register, log in and out, and who am I."""

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from service.api.deps import CurrentUser, Db, bearer_token
from service.queries import sessions, users
from service.queries.users import User
from service.security import hash_password, hash_token, new_token, verify_password

USERNAME = Annotated[str, msgspec.Meta(min_length=3, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")]
EMAIL = Annotated[str, msgspec.Meta(max_length=255, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
PASSWORD = Annotated[str, msgspec.Meta(min_length=8, max_length=1024)]


class Registration(msgspec.Struct, forbid_unknown_fields=True):
    username: USERNAME
    email: EMAIL
    password: PASSWORD


class Login(msgspec.Struct, forbid_unknown_fields=True):
    login: Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=1024)]


class Token(msgspec.Struct, frozen=True):
    token: str
    token_type: str
    expires_at: datetime


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post("/register", exclude_from_auth=True, summary="Create an account")
    async def register(self, data: JSONBody[Registration], db: Db, state: State) -> User:
        password_hash = await state.cpu.run(hash_password, data.password)
        return await users.create(
            db, username=data.username, email=data.email, password_hash=password_hash
        )

    @post(
        "/login",
        exclude_from_auth=True,
        status_code=HTTP_200_OK,
        summary="Trade a username or e-mail and password for a token",
    )
    async def login(self, data: JSONBody[Login], db: Db, state: State) -> Token:
        credentials = await users.get_credentials(db, login=data.login)
        password_hash = credentials.password_hash if credentials else None
        matches = await state.cpu.run(verify_password, password_hash, data.password)
        if not matches or credentials is None:
            raise NotAuthorizedException("wrong login or password")
        if not credentials.is_active:
            raise PermissionDeniedException("this account is disabled")
        token = new_token()
        session = await sessions.create(
            db,
            user_id=credentials.id,
            token_hash=hash_token(token),
            ttl_seconds=state.settings.session_ttl_seconds,
        )
        return Token(token=token, token_type="bearer", expires_at=session.expires_at)  # noqa: S106

    @post("/logout", status_code=HTTP_204_NO_CONTENT, summary="End this token's session")
    async def logout(self, request: Request[Any, Any, Any], db: Db, user: CurrentUser) -> None:
        await sessions.delete_by_token(db, token_hash=hash_token(bearer_token(request)))


@get("/users/me", tags=["auth"], summary="The caller's account")
async def me(user: CurrentUser) -> User:
    return user
