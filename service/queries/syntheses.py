"""AI syntheses of meetings, one per meeting, and their e-mail delivery."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from service.db import TOTAL_CAP, Executor, Listing, listing, many, one, sql


class Synthesis(msgspec.Struct, frozen=True, gc=False):
    id: UUID
    user_id: UUID
    meeting_id: UUID
    summary: str
    summary_word_count: int
    key_decisions: list[Any]
    action_items: list[Any]
    open_questions: list[Any]
    key_topics: list[Any]
    llm_model: str | None
    llm_tokens_used: int | None
    processing_time_seconds: float | None
    confidence_score: float | None
    email_sent_at: datetime | None
    email_recipients: list[Any]
    email_delivery_status: str
    email_error: str | None
    created_at: datetime
    updated_at: datetime


class SynthesisFields(msgspec.Struct, frozen=True, kw_only=True):
    summary: str
    key_decisions: list[Any] = []
    action_items: list[Any] = []
    open_questions: list[Any] = []
    key_topics: list[Any] = []
    llm_model: str | None = None
    llm_tokens_used: int | None = None
    processing_time_seconds: float | None = None
    confidence_score: float | None = None
    email_recipients: list[Any] = []


class SynthesisChanges(msgspec.Struct, frozen=True, kw_only=True):
    """None leaves a field as it is."""

    summary: str | None = None
    key_decisions: list[Any] | None = None
    action_items: list[Any] | None = None
    open_questions: list[Any] | None = None
    key_topics: list[Any] | None = None
    llm_model: str | None = None
    llm_tokens_used: int | None = None
    processing_time_seconds: float | None = None
    confidence_score: float | None = None
    email_recipients: list[Any] | None = None
    email_sent_at: datetime | None = None
    email_delivery_status: str | None = None
    email_error: str | None = None


_CREATE = sql("syntheses/create")
_UPDATE = sql("syntheses/update")
_UPSERT = sql("syntheses/upsert")
_GET_BY_MEETING_ID = sql("syntheses/get_by_meeting_id")
_LIST = sql("syntheses/list")
_COUNT = sql("syntheses/count")
_GET_WITH_DECISIONS = sql("syntheses/get_with_decisions")
_GET_WITH_ACTION_ITEMS = sql("syntheses/get_with_action_items")
_COUNT_WITH_DECISIONS = sql("syntheses/count_with_decisions")
_COUNT_WITH_ACTION_ITEMS = sql("syntheses/count_with_action_items")
_GET_PENDING_EMAIL = sql("syntheses/get_pending_email")
_COUNT_PENDING_EMAIL = sql("syntheses/count_pending_email")
_SEARCH_SUMMARY = sql("syntheses/search_summary")
_MARK_EMAIL_SENT = sql("syntheses/mark_email_sent")
_MARK_EMAIL_FAILED = sql("syntheses/mark_email_failed")
_DELETE = sql("syntheses/delete")


async def create(
    db: Executor, *, user_id: UUID, meeting_id: UUID, fields: SynthesisFields
) -> Synthesis:
    """The meeting's synthesis; a meeting that has one raises
    asyncpg.UniqueViolationError (uq_syntheses_meeting_id)."""
    f = fields
    row = await db.fetchrow(
        _CREATE, user_id, meeting_id, f.summary, f.key_decisions, f.action_items,
        f.open_questions, f.key_topics, f.llm_model, f.llm_tokens_used,
        f.processing_time_seconds, f.confidence_score, f.email_recipients,
    )  # fmt: skip
    return Synthesis(*row)


async def update(
    db: Executor,
    *,
    meeting_id: UUID,
    user_id: UUID,
    changes: SynthesisChanges,
    cleared: Sequence[str] = (),
) -> Synthesis | None:
    """Changes some fields and makes those named in `cleared` NULL; setting
    email_sent_at marks the synthesis sent, clearing it makes it pending again."""
    c = changes
    row = await db.fetchrow(
        _UPDATE, meeting_id, user_id, c.summary, c.key_decisions, c.action_items,
        c.open_questions, c.key_topics, c.llm_model, c.llm_tokens_used,
        c.processing_time_seconds, c.confidence_score, c.email_recipients, c.email_sent_at,
        c.email_delivery_status, c.email_error, list(cleared),
    )  # fmt: skip
    return one(Synthesis, row)


async def upsert(
    db: Executor, *, user_id: UUID, meeting_id: UUID, fields: SynthesisFields
) -> tuple[Synthesis, bool] | None:
    """(the synthesis, whether it is new): creates the meeting's synthesis or replaces
    it whole, resetting its e-mail delivery. None when the meeting is not the user's
    and already has a synthesis; a meeting that is not the user's and has none raises
    asyncpg.ForeignKeyViolationError."""
    f = fields
    row = await db.fetchrow(
        _UPSERT, user_id, meeting_id, f.summary, f.key_decisions, f.action_items,
        f.open_questions, f.key_topics, f.llm_model, f.llm_tokens_used,
        f.processing_time_seconds, f.confidence_score, f.email_recipients,
    )  # fmt: skip
    return None if row is None else (Synthesis(*row[:-1]), row[-1])


async def get_by_meeting_id(db: Executor, *, meeting_id: UUID, user_id: UUID) -> Synthesis | None:
    return one(Synthesis, await db.fetchrow(_GET_BY_MEETING_ID, meeting_id, user_id))


async def get_all(
    db: Executor,
    *,
    user_id: UUID,
    has: Literal["decisions", "action_items"] | None = None,
    after: tuple[datetime, UUID] | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[Synthesis]:
    """Newest first, optionally only those with key decisions or action items;
    `after` is the (created_at, id) of the previous page's last row."""
    created_at, synthesis_id = after or (None, None)
    rows = await db.fetch(_LIST, user_id, has, TOTAL_CAP, created_at, synthesis_id, limit, offset)
    return listing(Synthesis, rows, cap=TOTAL_CAP)


async def count(db: Executor, *, user_id: UUID) -> int:
    result: int = await db.fetchval(_COUNT, user_id)
    return result


async def get_with_decisions(
    db: Executor, *, user_id: UUID, limit: int = 50, offset: int = 0
) -> list[Synthesis]:
    """Syntheses that recorded at least one key decision, newest first."""
    return many(Synthesis, await db.fetch(_GET_WITH_DECISIONS, user_id, limit, offset))


async def get_with_action_items(
    db: Executor, *, user_id: UUID, limit: int = 50, offset: int = 0
) -> list[Synthesis]:
    """Syntheses with at least one action item, newest first."""
    return many(Synthesis, await db.fetch(_GET_WITH_ACTION_ITEMS, user_id, limit, offset))


async def count_with_decisions(db: Executor, *, user_id: UUID) -> int:
    result: int = await db.fetchval(_COUNT_WITH_DECISIONS, user_id)
    return result


async def count_with_action_items(db: Executor, *, user_id: UUID) -> int:
    result: int = await db.fetchval(_COUNT_WITH_ACTION_ITEMS, user_id)
    return result


async def get_pending_email(
    db: Executor,
    *,
    user_id: UUID,
    after: tuple[datetime, UUID] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Listing[Synthesis]:
    """Syntheses not e-mailed yet (pending, or failed and due a retry), oldest first;
    `after` is the (created_at, id) of the previous page's last row."""
    created_at, synthesis_id = after or (None, None)
    rows = await db.fetch(
        _GET_PENDING_EMAIL, user_id, TOTAL_CAP, created_at, synthesis_id, limit, offset
    )
    return listing(Synthesis, rows, cap=TOTAL_CAP)


async def count_pending_email(db: Executor, *, user_id: UUID) -> int:
    result: int = await db.fetchval(_COUNT_PENDING_EMAIL, user_id)
    return result


async def search_summary(
    db: Executor, *, user_id: UUID, query: str, limit: int = 50, offset: int = 0
) -> Listing[Synthesis]:
    """Full-text over summaries, best match first."""
    rows = await db.fetch(_SEARCH_SUMMARY, user_id, query, TOTAL_CAP, limit, offset)
    return listing(Synthesis, rows, cap=TOTAL_CAP)


async def mark_email_sent(
    db: Executor, *, meeting_id: UUID, user_id: UUID, recipients: list[str] | None = None
) -> Synthesis | None:
    return one(Synthesis, await db.fetchrow(_MARK_EMAIL_SENT, meeting_id, user_id, recipients))


async def mark_email_failed(
    db: Executor, *, meeting_id: UUID, user_id: UUID, error: str
) -> Synthesis | None:
    return one(Synthesis, await db.fetchrow(_MARK_EMAIL_FAILED, meeting_id, user_id, error))


async def delete(db: Executor, *, meeting_id: UUID, user_id: UUID) -> bool:
    return await db.fetchval(_DELETE, meeting_id, user_id) is not None
