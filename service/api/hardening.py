"""HTTP handling that holds up against hostile clients.

`strict_bodies`: a request with both Content-Length and Transfer-Encoding is refused
(request smuggling behind a proxy) and its connection closed; a body that is not
`application/json` in UTF-8 is a 415; a JSON body is decoded strictly into the
handler's type before anything else reads it, so that `true` is the only true (not
`1`, not `"true"`: Litestar's own conversion is lax, for query strings' sake;
service/strict_json.py) and a
NUL character in any string is refused before it reaches PostgreSQL.

`security_headers` (a before_send hook): every answer says nosniff, no framing, no referrer, and a
Content-Security-Policy that allows nothing (the API pages under /schema allow
their own scripts and styles)."""

import functools
import re
import typing
from typing import Any

import msgspec
from litestar import Litestar, Request
from litestar.enums import ScopeType
from litestar.exceptions import SerializationException
from litestar.middleware import ASGIMiddleware
from litestar.routes import HTTPRoute
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)

from service import strict_json
from service.api.validation import explain, field_type, unknown_field

_WITH_BODY = {"POST", "PUT", "PATCH", "DELETE"}
_JSON_TYPE = re.compile(r"^application/([a-z0-9.+-]+\+)?json$")
# \u0000 as a JSON escape, not preceded by an escaped backslash.
_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


async def _answer(send: Send, status: int, body: dict[str, Any], *, close: bool = False) -> None:
    payload = msgspec.json.encode(body)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send(HTTPResponseStartEvent(type="http.response.start", status=status, headers=headers))
    await send(HTTPResponseBodyEvent(type="http.response.body", body=payload, more_body=False))


def _msgspec_type(annotation: Any) -> Any:
    """The type without Litestar's markers (Body, QueryParameter), keeping the
    msgspec.Meta constraints that are part of what the body must be."""
    if typing.get_origin(annotation) is typing.Annotated:
        inner, *extras = typing.get_args(annotation)
        constraints = tuple(extra for extra in extras if isinstance(extra, msgspec.Meta))
        inner = _msgspec_type(inner)
        return typing.Annotated[(inner, *constraints)] if constraints else inner
    return annotation


# Keyed by the handler itself, which the cache keeps alive (an id would outlive its
# handler, and the next app's handler may get it); the unwrapping cost about 1% of a
# POST's CPU when done per request.
@functools.lru_cache(maxsize=4096)
def body_type(handler: Any) -> Any:
    """The handler's `data` type; None if it takes no body."""
    parameter = handler.parsed_fn_signature.parameters.get("data")
    return None if parameter is None else _msgspec_type(parameter.raw)


def _is_json_type(content_type: bytes) -> bool:
    if content_type == b"application/json":  # what nearly every client sends
        return True
    media, _, parameters = content_type.decode("latin-1").partition(";")
    charset = re.search(r"charset\s*=\s*\"?([^\";\s]+)", parameters, re.IGNORECASE)
    return bool(_JSON_TYPE.match(media.strip().lower())) and (
        charset is None or charset.group(1).lower() in ("utf-8", "utf8")
    )


def _key(error: msgspec.ValidationError) -> str | None:
    found = re.search(r"at `\$\.?([^`]*)`", str(error))
    return found.group(1) if found else None


class StrictBodies(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] != ScopeType.HTTP:
            await next_app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope["headers"]}
        if b"transfer-encoding" in headers and b"content-length" in headers:
            detail = "send either Content-Length or Transfer-Encoding, not both"
            await _answer(send, 400, {"status_code": 400, "detail": detail}, close=True)
            return
        if scope["method"] in _WITH_BODY:
            request: Request[Any, Any, Any] = Request(scope, receive)
            body = await request.body()
            if body:
                problem = self._check(headers.get(b"content-type", b""), body)
                if problem is not None:
                    status, answer = problem
                    await _answer(send, status, answer)
                    return
                if (wrong := await self._check_type(request)) is not None:
                    await _answer(send, 400, wrong)
                    return
        await next_app(scope, receive, send)

    @staticmethod
    def _check(content_type: bytes, body: bytes) -> tuple[int, dict[str, Any]] | None:
        if not _is_json_type(content_type):
            detail = (
                f"the body must be JSON: send Content-Type: application/json (UTF-8), "
                f"not {content_type.decode('latin-1') or 'none'}"
            )
            return 415, {"status_code": 415, "detail": detail}
        # The regex walks every byte (~50 ms per MB); the plain search does not.
        if b"\\u0000" in body and _NUL.search(body):
            detail = "text must not contain NUL characters (\\u0000)"
            return 400, {"status_code": 400, "detail": detail}
        return None

    @staticmethod
    async def _check_type(request: Request[Any, Any, Any]) -> dict[str, Any] | None:
        """Decodes the body (Litestar's own JSON cache keeps the result for the
        handler) and converts it strictly to the handler's type."""
        kind = body_type(request.route_handler)
        try:
            value = await request.json()
            if kind is not None:
                strict_json.check(value, kind)
        except msgspec.ValidationError as error:
            key = _key(error)
            message = explain(str(error), field_type(kind, key) if key else None)
            if unknown := unknown_field(str(error), kind):
                key, message = unknown
            return {
                "status_code": 400,
                "detail": f"Validation failed for {request.method} {request.url.path}",
                "extra": [{"message": message, "key": key, "source": "body"}],
            }
        except (msgspec.DecodeError, SerializationException) as error:
            return {"status_code": 400, "detail": f"the body is not valid JSON: {error}"}
        except RecursionError:
            return {"status_code": 400, "detail": "JSON is nested too deeply"}
        return None


strict_bodies = StrictBodies()

_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_API_POLICY = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
_DOCS_POLICY = (
    b"content-security-policy",
    b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    b"script-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
)


async def security_headers(message: Message, scope: Scope) -> None:
    """A `before_send` hook: every answer, errors and unknown routes included."""
    if message["type"] == "http.response.start":
        policy = _DOCS_POLICY if scope["path"].startswith("/schema") else _API_POLICY
        message["headers"] = [*message.get("headers", []), *_HEADERS, policy]
        if scope.get("method") == "OPTIONS" and "path_template" in scope:
            _allow_every_method(message, scope)


@functools.cache
def _methods_by_path(app: Litestar) -> dict[str, bytes]:
    return {
        route.path_format: ", ".join(sorted(route.methods)).encode()
        for route in app.routes
        if isinstance(route, HTTPRoute)
    }


def _allow_every_method(message: HTTPResponseStartEvent, scope: Scope) -> None:
    """Litestar's OPTIONS answer names the methods of the first handler registered
    on a path only (`/conversations` said OPTIONS, POST); name them all."""
    allow = _methods_by_path(scope["litestar_app"]).get(scope["path_template"])
    if allow is not None:
        headers = [(k, v) for k, v in message["headers"] if k.lower() != b"allow"]
        message["headers"] = [*headers, (b"allow", allow)]
