"""The OpenAPI document, completed from what the routes share: Litestar documents a
handler's own success answer and its 400, and nothing of what the layers around it
answer. `complete` adds, to every operation, the answers it can give and their
body (`Error`); the bearer requirement only where a token is needed; the list
headers on lists; and descriptions of the fields every table has."""

import typing
from typing import Any
from uuid import UUID

import msgspec
from litestar import Litestar
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    Schema,
)

from service.api.hardening import body_type
from service.api.pages import EXACT_HEADER, TOTAL_HEADER

ERROR = Schema(
    type=OpenAPIType.OBJECT,
    required=["status_code", "detail"],
    properties={
        "status_code": Schema(type=OpenAPIType.INTEGER, description="the HTTP status again"),
        "detail": Schema(type=OpenAPIType.STRING, description="what went wrong, in words"),
        "extra": Schema(description="for validation errors: the fields at fault and why"),
    },
    description="Every error answer",
)

_WHY = {
    "400": "Bad input: the detail (and `extra`) names the field and why",
    "401": "No, a malformed, an expired or a revoked bearer token",
    "403": "Not allowed (admins only, or a disabled account)",
    "404": "No such resource, or someone else's (the two cannot be told apart)",
    "409": "A conflict: a duplicate, or a step its lifecycle does not allow",
    "413": "The request body is larger than the service accepts",
    "415": "The request body is not JSON (application/json, UTF-8)",
    "429": "Too many failed logins: wait `Retry-After` seconds",
    "503": "The database is down, restarting or busy past a timeout: retry after "
    "`Retry-After` seconds",
}

RETRY_AFTER = OpenAPIHeader(
    schema=Schema(type=OpenAPIType.INTEGER), description="seconds to wait before retrying"
)
LIST_HEADERS = {
    TOTAL_HEADER: OpenAPIHeader(
        schema=Schema(type=OpenAPIType.INTEGER),
        description="rows in the whole list (a lower bound when the next header is false)",
    ),
    EXACT_HEADER: OpenAPIHeader(
        schema=Schema(type=OpenAPIType.STRING, enum=["true", "false"]),
        description="whether X-Total-Count is exact",
    ),
    "Link": OpenAPIHeader(
        schema=Schema(type=OpenAPIType.STRING),
        description='`<url>; rel="next"` when there is a next page: follow it as it is',
    ),
}
LOCATION = {
    "Location": OpenAPIHeader(
        schema=Schema(type=OpenAPIType.STRING), description="the new resource's URL"
    )
}

# Fields most tables have, described once.
FIELD_DESCRIPTIONS = {
    "id": "the row's id (UUID)",
    "user_id": "the owner's id",
    "created_at": "when it was created (RFC 3339, UTC)",
    "updated_at": "when it last changed (RFC 3339, UTC)",
    "metadata": "free-form JSON object of the caller's",
    "video_id": "the video's id",
    "channel_id": "the channel's id",
    "transcript_id": "the transcript's id",
    "conversation_id": "the conversation's id",
    "meeting_id": "the meeting's id",
    "session_id": "the processing session's id",
    "youtube_video_id": "YouTube's 11-character video id",
    "youtube_channel_id": "YouTube's 24-character channel id (UC…)",
}

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

# Rows that carry a stored JSON document as its text (msgspec.Raw) and answer exactly
# the JSON of the Struct named here: documented as that Struct, so a client sees one
# message type (tests/api/test_openapi.py holds the fields to the same names).
DOCUMENTED_AS = {"ListedMessage": "Message"}


def operation_id(handler: Any, method: Any, path_components: list[Any]) -> str:
    """`<resource>_<handler>` (videos_get_one, meetings_add_participant): names a
    generated client can use as they are."""
    resource = next((c for c in path_components if isinstance(c, str) and c), "root")
    resource = resource.replace("-", "_")
    name: str = handler.handler_name
    return name if name == resource else f"{resource}_{name}"


def _error(code: str, retry: bool = False) -> OpenAPIResponse:
    body = OpenAPIMediaType(schema=Reference("#/components/schemas/Error"))
    return OpenAPIResponse(
        description=_WHY[code],
        content={"application/json": body},
        headers={"Retry-After": RETRY_AFTER} if retry else None,
    )


def _handlers(app: Litestar) -> dict[tuple[str, str], Any]:
    found = {}
    for route in app.routes:
        for method, entry in getattr(route, "route_handler_map", {}).items():
            found[(route.path_format, method.lower())] = entry[0]
    return found


def _is_list(response: OpenAPIResponse | Reference | None) -> bool:
    if not isinstance(response, OpenAPIResponse) or not response.content:
        return False
    schema = response.content.get("application/json")
    return bool(schema and isinstance(schema.schema, Schema) and schema.schema.type == "array")


def _drop_ambiguous_any(schema: Any) -> None:
    """`oneOf: [{}, …]` matches every value at least twice: a plain `{}` instead."""
    if isinstance(schema, Schema):
        if schema.one_of and any(isinstance(s, Schema) and s == Schema() for s in schema.one_of):
            schema.one_of = None
        for part in (schema.properties or {}).values():
            _drop_ambiguous_any(part)
        for part in [*(schema.one_of or []), *(schema.any_of or [])]:
            _drop_ambiguous_any(part)
        if isinstance(schema.items, Schema):
            _drop_ambiguous_any(schema.items)


def _describe_fields(schema: Schema) -> None:
    for name, part in (schema.properties or {}).items():
        if isinstance(part, Schema) and not part.description and name in FIELD_DESCRIPTIONS:
            part.description = FIELD_DESCRIPTIONS[name]


def _names_other_rows(kind: Any) -> bool:
    """Whether a body refers to other rows by id (a channel_id, a session_id): a
    missing one is 404, as in a path."""
    if typing.get_origin(kind) is typing.Annotated:
        kind = typing.get_args(kind)[0]
    structs = [
        m
        for m in typing.get_args(kind) or (kind,)
        if isinstance(m, type) and issubclass(m, msgspec.Struct)
    ]
    return any(
        name.endswith("_id") and (hint is UUID or UUID in typing.get_args(hint))
        for struct in structs
        for name, hint in typing.get_type_hints(struct).items()
    )


def _documented_as(schema: Any, names: dict[str, str]) -> None:
    """Points references to a stored-JSON row's component at the Struct it answers as."""
    if not isinstance(schema, Schema):
        return
    if isinstance(schema.items, Reference):
        name = schema.items.ref.rpartition("/")[2]
        if name in names:
            schema.items = Reference(f"#/components/schemas/{names[name]}")
    else:
        _documented_as(schema.items, names)


def _complete_operation(operation: Operation, handler: Any, path: str, method: str) -> None:
    public = bool(handler.opt.get("exclude_from_auth")) or path.startswith("/schema")
    responses = operation.responses if operation.responses is not None else {}
    operation.responses = responses
    ok = responses.get("200") or responses.get("201")
    paged = "page" in handler.parsed_fn_signature.parameters
    if paged and _is_list(ok) and isinstance(ok, OpenAPIResponse):
        ok.headers = {**(ok.headers or {}), **LIST_HEADERS}
    if isinstance(ok, OpenAPIResponse):
        for media in (ok.content or {}).values():
            _documented_as(media.schema, DOCUMENTED_AS)
    created = responses.get("201")
    if isinstance(created, OpenAPIResponse) and method in ("post", "put"):
        created.headers = {**(created.headers or {}), **LOCATION}
    codes = ["503"]
    if not public:
        codes.append("401")
        operation.security = [{"BearerToken": []}]
    else:
        operation.security = []
    if "{" in path or _names_other_rows(body_type(handler)):
        codes.append("404")
    if method in ("post", "put", "patch", "delete"):
        codes += ["409", "413", "415"]
    if operation.parameters or operation.request_body:
        codes.append("400")
    if "admin" in (handler.dependencies or {}):
        codes.append("403")
    codes += [str(code) for code in handler.opt.get("also_answers", ())]
    _json_query_parameters(operation, handler.opt.get("json_query", {}))
    for code in codes:
        if code not in responses:
            responses[code] = _error(code, retry=code in ("429", "503"))


def _json_query_parameters(operation: Operation, schemas: dict[str, Any]) -> None:
    """A query parameter whose value is JSON (`?metadata={"speaker":"Ada"}`) is
    described by its content, as OpenAPI has it, not as any string."""
    for parameter in operation.parameters or ():
        if not isinstance(parameter, Reference) and parameter.name in schemas:
            parameter.schema = None
            parameter.content = {
                "application/json": OpenAPIMediaType(schema=schemas[parameter.name])
            }


def _exact_request_bodies(document: OpenAPI, handlers: dict[tuple[str, str], Any]) -> None:
    """Request bodies as msgspec itself describes the types it enforces: unknown
    fields refused (`additionalProperties: false`), the limits of list items kept,
    and the body optional where the handler has a default. Litestar's rendering
    drops the first two, so a client would send what the service then refuses."""
    bodies = []
    for path, item in (document.paths or {}).items():
        for method in _METHODS:
            operation = getattr(item, method, None)
            handler = handlers.get((path, method))
            if operation is None or handler is None or operation.request_body is None:
                continue
            kind = body_type(handler)
            if kind is not None:
                bodies.append((operation, handler, kind))
    schemas, components = msgspec.json.schema_components(
        [kind for _, _, kind in bodies], ref_template="#/components/schemas/{name}"
    )
    assert document.components is not None
    document.components.schemas = {**(document.components.schemas or {}), **components}
    for (operation, handler, _), schema in zip(bodies, schemas, strict=True):
        assert operation.request_body is not None and not isinstance(
            operation.request_body, Reference
        )
        data = handler.parsed_fn_signature.parameters["data"]
        operation.request_body.required = not data.has_default
        # a plain JSON Schema dict: Litestar writes it out as it is
        exact: Any = schema
        operation.request_body.content = {"application/json": OpenAPIMediaType(schema=exact)}


def complete(app: Litestar) -> None:
    document: OpenAPI = app.openapi_schema
    handlers = _handlers(app)
    components = document.components or Components()
    document.components = components
    components.schemas = {
        **{k: v for k, v in (components.schemas or {}).items() if k not in DOCUMENTED_AS},
        "Error": ERROR,
    }
    for schema in components.schemas.values():
        if isinstance(schema, Schema):
            _drop_ambiguous_any(schema)
            _describe_fields(schema)
    _exact_request_bodies(document, handlers)
    document.security = None  # per operation instead: public routes need no token
    for path, item in (document.paths or {}).items():
        for method in _METHODS:
            operation = getattr(item, method, None)
            handler = handlers.get((path, method))
            if operation is not None and handler is not None:
                _complete_operation(operation, handler, path, method)
