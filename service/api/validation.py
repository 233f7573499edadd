"""Validation messages in words. msgspec and Litestar say `Expected str matching
regex '^[A-Za-z0-9_.-]+…'` and `Invalid enum value 'x'`; a client's user needs to read
what is allowed: the pattern described, the values of a fixed set listed."""

import re
import types
import typing
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import ValidationException
from litestar.status_codes import HTTP_400_BAD_REQUEST

from service import passwords
from service.api.auth import USERNAME
from service.api.config import KEY_PATTERN
from service.api.jobs import JobType
from service.fields import (
    EMAIL_PATTERN,
    NON_BLANK_PATTERN,
    Language,
    YoutubeChannelId,
    YoutubeVideoId,
)


def _pattern(annotated: Any) -> str:
    # a column's type nests the schema's length limit first: the pattern comes after
    return next(
        m.pattern
        for m in typing.get_args(annotated)[1:]
        if isinstance(m, msgspec.Meta) and m.pattern
    )


# What each pattern asks for, to follow "Expected ".
PATTERN_HINTS = {
    NON_BLANK_PATTERN: "text that is not blank",
    EMAIL_PATTERN: "an e-mail address such as ada@example.com",
    _pattern(USERNAME): "letters, digits, '.', '_' or '-' only",
    _pattern(YoutubeVideoId): "a YouTube video id: 11 letters, digits, '-' or '_'",
    _pattern(YoutubeChannelId): "a YouTube channel id: 24 letters, digits, '-' or '_'",
    _pattern(Language): "a BCP 47 language tag such as en, de or pt-BR",
    _pattern(JobType): "a lowercase letter, then a-z, 0-9, '.', '_', ':' or '-'",
    KEY_PATTERN: "letters, digits, '.', '_', ':' or '-' only",
    passwords.PATTERN: f"at least {passwords.MIN_NON_BLANK} characters that are not spaces",
}
# The messages quote a pattern as Python would write it in quotes.
_QUOTED_HINTS = {p.replace("\\", "\\\\"): hint for p, hint in PATTERN_HINTS.items()}

_REGEX = re.compile(r"Expected `str` matching regex '(?P<pattern>.*)'(?P<rest> - at `.*`)?$")
_ENUM = re.compile(r"Invalid enum value (?P<value>.*?)(?P<rest> - at `.*`)?$")
_UNKNOWN = re.compile(
    r"Object contains unknown field `(?P<name>[^`]*)`(?: - at `\$\.?(?P<at>.*)`)?$"
)
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _members(annotation: Any) -> list[Any]:
    annotation = _strip(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def allowed_values(annotation: Any) -> list[Any] | None:
    """The values of the Literal in `annotation` (through Annotated, unions)."""
    for member in _members(annotation):
        if typing.get_origin(member) is typing.Literal:
            return list(typing.get_args(member))
    return None


def field_type(kind: Any, key: str) -> Any:
    """The type at a msgspec error path such as `participants[0].email`, or None."""
    current = kind
    for name, index in _PATH_PART.findall(key):
        step = None
        for member in _members(current):
            if index and typing.get_origin(member) in (list, tuple, set, frozenset):
                step = typing.get_args(member)[0]
            elif name and isinstance(member, type) and issubclass(member, msgspec.Struct):
                step = typing.get_type_hints(member, include_extras=True).get(name)
            if step is not None:
                break
        if step is None:
            return None
        current = step
    return current


def explain(message: str, annotation: Any = None) -> str:
    """`message` with a regex described and an enum's values listed; else as it was."""
    if found := _REGEX.match(message):
        hint = _QUOTED_HINTS.get(found["pattern"])
        if hint is not None:
            return f"Expected {hint}{found['rest'] or ''}"
    if (found := _ENUM.match(message)) and annotation is not None:
        values = allowed_values(annotation)
        if values:
            listed = ", ".join(repr(v) for v in values)
            return f"{found['value']} is not one of {listed}{found['rest'] or ''}"
    return message


def unknown_field(message: str, kind: Any) -> tuple[str, str] | None:
    """(key, message) for a field the body type does not have, naming the fields it has."""
    found = _UNKNOWN.match(message)
    if found is None:
        return None
    at = found["at"] or ""
    key = f"{at}.{found['name']}" if at else found["name"]
    known = [
        name
        for member in _members(field_type(kind, at) if at else kind)
        if isinstance(member, type) and issubclass(member, msgspec.Struct)
        for name in member.__struct_fields__
    ]
    listed = f"; known fields: {', '.join(known)}" if known else ""
    return key, f"unknown field `{found['name']}`{listed}"


def _parameter_type(request: Request[Any, Any, Any], key: str | None) -> Any:
    parameter = request.route_handler.parsed_fn_signature.parameters.get(key or "")
    return None if parameter is None else parameter.annotation


def validation_error_handler(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    """Litestar's 400 for query, path and header parameters, in words."""
    body: dict[str, Any] = {"status_code": HTTP_400_BAD_REQUEST, "detail": exc.detail}
    if isinstance(exc.extra, list):
        body["extra"] = [
            {**item, "message": explain(item["message"], _parameter_type(request, item.get("key")))}
            if isinstance(item, dict) and isinstance(item.get("message"), str)
            else item
            for item in exc.extra
        ]
    elif exc.extra:
        body["extra"] = exc.extra
    return Response(body, status_code=HTTP_400_BAD_REQUEST)
