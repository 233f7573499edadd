"""Database errors as HTTP answers: the constraint that refused the input, named."""

import logging
from typing import Any

import asyncpg
from asyncpg.exceptions._base import DataError as ClientDataError
from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
)

from service.cpu import Busy

log = logging.getLogger(__name__)

AnyRequest = Request[Any, Any, Any]

CONSTRAINT_MESSAGES = {
    "idx_users_username": "username is already taken",
    "idx_users_email": "email is already registered",
    "users_username_format": "username must be 3-50 letters, digits, '.', '_' or '-'",
    "users_email_format": "email is not a valid e-mail address",
    "uq_templates_owner_type_name": (
        "a template with this template_type and template_name already exists"
    ),
    "uq_templates_one_default": (
        "another request made a template of this type the default at the same time: try again"
    ),
    "conversations_title_not_blank": "title must not be blank",
    "templates_name_not_blank": "template_name must not be blank",
    "config_key_format": "config key may hold only letters, digits and . _ : -",
    "uq_channels_user_youtube_channel_id": "you have a channel with this youtube_channel_id",
    "uq_videos_user_youtube_video_id": "you have a video with this youtube_video_id",
    "videos_channel_fkey": "channel_id: no such channel",
    "processing_jobs_session_fkey": "session_id: no such processing session",
    "uq_transcripts_video_source_language": (
        "the video has a transcript with this source and language already"
    ),
    "transcripts_title_not_blank": "title must not be blank",
    "uq_chunks_transcript_chunk_index": "chunks: each chunk_index may appear once",
    "participants_meeting_fkey": "meeting not found",
    "syntheses_meeting_fkey": "meeting not found",
    "uq_participants_meeting_email": "a participant with this email is in the meeting already",
    "participants_email_format": "email is not a valid e-mail address",
    "meetings_ends_after_start": "ended_at must not be before started_at",
    "uq_syntheses_meeting_id": "this meeting has a synthesis already: PUT replaces it",
}

# Check violations that mean "not now, given the row's state" rather than bad input.
CONFLICT_CONSTRAINTS = {"videos_status_transition", "meetings_status_transition"}


def error_response(status_code: int, detail: str) -> Response[dict[str, object]]:
    return Response({"status_code": status_code, "detail": detail}, status_code=status_code)


# Data errors by SQLSTATE, in tubebase's words: PostgreSQL's and the driver's own
# text (which names query parameters such as $3) never reaches the client.
DATA_ERRORS = {
    "22001": "a value is longer than its field allows",
    "22003": "a number is out of range",
    "22007": "a date or time is not valid",
    "22008": "a date or time is out of range",
    "22021": "text contains a character that cannot be stored (NUL)",
    "22P02": "a value has the wrong form for its field",
    "22P05": "text contains a character that cannot be stored",
    "2202E": "an array index is out of range",
    "22023": "a value is not valid here",
    "22P03": "a value has the wrong form for its field",
}


def _described(exc: Exception, fallback: str) -> str:
    constraint = getattr(exc, "constraint_name", None)
    if constraint in CONSTRAINT_MESSAGES:
        return CONSTRAINT_MESSAGES[constraint]
    column = getattr(exc, "column_name", None)
    text = DATA_ERRORS.get(getattr(exc, "sqlstate", None) or "", fallback)
    if column:
        text = f"{column}: {text}"
    return text + (f" (constraint {constraint})" if constraint else "")


def database_error_handler(_: AnyRequest, exc: Exception) -> Response[dict[str, object]]:
    constraint = getattr(exc, "constraint_name", None)
    if isinstance(exc, asyncpg.CheckViolationError) and constraint in CONFLICT_CONSTRAINTS:
        return error_response(HTTP_409_CONFLICT, str(getattr(exc, "message", exc)))
    if isinstance(exc, asyncpg.UniqueViolationError):
        return error_response(HTTP_409_CONFLICT, _described(exc, "already exists"))
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        return error_response(HTTP_404_NOT_FOUND, _described(exc, "referenced row not found"))
    if isinstance(exc, asyncpg.NotNullViolationError):
        return error_response(HTTP_400_BAD_REQUEST, _described(exc, "a required value is missing"))
    if isinstance(exc, asyncpg.CheckViolationError | asyncpg.DataError):
        return error_response(HTTP_400_BAD_REQUEST, _described(exc, "invalid value"))
    if isinstance(exc, asyncpg.ProgramLimitExceededError):
        return error_response(
            HTTP_400_BAD_REQUEST, "a value is too large to store or index (text or JSON)"
        )
    if isinstance(exc, ClientDataError):  # raised by asyncpg while encoding an argument
        return error_response(HTTP_400_BAD_REQUEST, "a value in the request cannot be stored")
    log.exception("database error", exc_info=exc)
    return error_response(HTTP_500_INTERNAL_SERVER_ERROR, "internal database error")


# Not the request's fault, and over soon: the database is down, restarting, busy
# past a timeout, or out of connections. Each is a 503 the client may retry.
UNAVAILABLE: dict[type[Exception], str] = {
    TimeoutError: "no database connection became free in time: the service is busy",
    asyncpg.QueryCanceledError: "the database took longer than the statement timeout",
    asyncpg.LockNotAvailableError: "another request holds a lock this one needs",
    asyncpg.TransactionRollbackError: "a concurrent request conflicted with this one",
    asyncpg.OperatorInterventionError: "the database is shutting down or starting up",
    asyncpg.InsufficientResourcesError: "the database is out of connections or resources",
    asyncpg.PostgresConnectionError: "the database connection failed",
    asyncpg.InterfaceError: "the database connection was lost",
    asyncpg.InternalClientError: "the database connection broke off mid-statement",
    asyncpg.IdleInTransactionSessionTimeoutError: "the database ended an idle transaction",
    OSError: "the database cannot be reached",
    Busy: "the server's CPU-bound work queue is full",
}
RETRY_AFTER_SECONDS = 1


def unavailable_handler(request: AnyRequest, exc: Exception) -> Response[dict[str, object]]:
    if isinstance(exc, asyncpg.InterfaceError) and "connection" not in str(exc):
        # A misuse of the driver (a bug), not an outage.
        return database_error_handler(request, exc)
    reason = next(
        (text for kind, text in UNAVAILABLE.items() if isinstance(exc, kind)),
        "the database is unavailable",
    )
    log.warning("503: %s (%s: %s)", reason, type(exc).__name__, exc)
    return Response(
        {"status_code": HTTP_503_SERVICE_UNAVAILABLE, "detail": f"{reason}; try again shortly"},
        status_code=HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def not_found_handler(
    request: Request[Any, Any, Any], exc: NotFoundException
) -> Response[dict[str, object]]:
    detail = exc.detail
    if detail == "Not Found":  # raised by the router: no route matched the path
        detail = f"no resource at {request.method} {request.url.path} (ids are UUIDs)"
    return error_response(HTTP_404_NOT_FOUND, detail)


def too_deep_handler(_: AnyRequest, exc: RecursionError) -> Response[dict[str, object]]:
    # msgspec gives up on JSON nested about a thousand levels deep.
    return error_response(HTTP_400_BAD_REQUEST, "JSON is nested too deeply")


async def log_unexpected(exc: Exception, scope: Any) -> None:
    """An `after_exception` hook: a 500 nothing above answered is logged with its
    traceback (the answers above log what they need themselves)."""
    answered = (HTTPException, asyncpg.PostgresError, ClientDataError, RecursionError, *UNAVAILABLE)
    if not isinstance(exc, answered):
        log.error(
            "unhandled %s on %s %s",
            type(exc).__name__,
            scope.get("method"),
            scope.get("path"),
            exc_info=exc,
        )
