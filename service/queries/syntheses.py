"""AI syntheses of meetings, one per meeting, and their e-mail delivery."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from service.db import TOTAL_CAP, Executor, Listing
from service.queries.generated import syntheses as generated
from service.queries.generated.syntheses import Synthesis as Synthesis


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


get_by_meeting_id = generated.get_by_meeting_id
count_by_user = generated.count_by_user
count_with_decisions = generated.count_with_decisions
count_with_action_items = generated.count_with_action_items
count_pending_email = generated.count_pending_email
mark_email_failed = generated.mark_email_failed


async def create(
    db: Executor, *, user_id: UUID, meeting_id: UUID, fields: SynthesisFields
) -> Synthesis:
    """The meeting's synthesis; a meeting that has one raises
    asyncpg.UniqueViolationError (uq_syntheses_meeting_id)."""
    f = fields
    return await generated.create(
        db, user_id=user_id, meeting_id=meeting_id, summary=f.summary,
        key_decisions=f.key_decisions, action_items=f.action_items,
        open_questions=f.open_questions, key_topics=f.key_topics, llm_model=f.llm_model,
        llm_tokens_used=f.llm_tokens_used, processing_time_seconds=f.processing_time_seconds,
        confidence_score=f.confidence_score, email_recipients=f.email_recipients,
    )  # fmt: skip


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
    return await generated.update(
        db, meeting_id=meeting_id, user_id=user_id, summary=c.summary,
        key_decisions=c.key_decisions, action_items=c.action_items,
        open_questions=c.open_questions, key_topics=c.key_topics, llm_model=c.llm_model,
        llm_tokens_used=c.llm_tokens_used, processing_time_seconds=c.processing_time_seconds,
        confidence_score=c.confidence_score, email_recipients=c.email_recipients,
        email_sent_at=c.email_sent_at, email_delivery_status=c.email_delivery_status,
        email_error=c.email_error, cleared=list(cleared),
    )  # fmt: skip


async def upsert(
    db: Executor, *, user_id: UUID, meeting_id: UUID, fields: SynthesisFields
) -> tuple[Synthesis, bool] | None:
    """(the synthesis, whether it is new): creates the meeting's synthesis or replaces
    it whole, resetting its e-mail delivery. None when the meeting is not the user's
    and already has a synthesis; a meeting that is not the user's and has none raises
    asyncpg.ForeignKeyViolationError."""
    f = fields
    return await generated.upsert(
        db, user_id=user_id, meeting_id=meeting_id, summary=f.summary,
        key_decisions=f.key_decisions, action_items=f.action_items,
        open_questions=f.open_questions, key_topics=f.key_topics, llm_model=f.llm_model,
        llm_tokens_used=f.llm_tokens_used, processing_time_seconds=f.processing_time_seconds,
        confidence_score=f.confidence_score, email_recipients=f.email_recipients,
    )  # fmt: skip


async def list_by_user(
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
    total, items = await generated.list_by_user(
        db, user_id=user_id, has=has, cap=TOTAL_CAP, after_created_at=created_at,
        after_id=synthesis_id, limit=limit, offset=offset,
    )  # fmt: skip
    return Listing.capped(items, total, TOTAL_CAP)


async def list_with_decisions(
    db: Executor, *, user_id: UUID, limit: int = 50, offset: int = 0
) -> list[Synthesis]:
    """Syntheses that recorded at least one key decision, newest first."""
    return await generated.list_with_decisions(db, user_id=user_id, limit=limit, offset=offset)


async def list_with_action_items(
    db: Executor, *, user_id: UUID, limit: int = 50, offset: int = 0
) -> list[Synthesis]:
    """Syntheses with at least one action item, newest first."""
    return await generated.list_with_action_items(db, user_id=user_id, limit=limit, offset=offset)


async def list_pending_email(
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
    total, items = await generated.list_pending_email(
        db, user_id=user_id, cap=TOTAL_CAP, after_created_at=created_at, after_id=synthesis_id,
        limit=limit, offset=offset,
    )  # fmt: skip
    return Listing.capped(items, total, TOTAL_CAP)


async def search_summary(
    db: Executor, *, user_id: UUID, query: str, limit: int = 50, offset: int = 0
) -> Listing[Synthesis]:
    """Full-text over summaries, best match first."""
    total, items = await generated.search_summary(
        db, user_id=user_id, query=query, cap=TOTAL_CAP, limit=limit, offset=offset
    )
    return Listing.capped(items, total, TOTAL_CAP)


async def mark_email_sent(
    db: Executor, *, meeting_id: UUID, user_id: UUID, recipients: list[str] | None = None
) -> Synthesis | None:
    return await generated.mark_email_sent(
        db, meeting_id=meeting_id, user_id=user_id, recipients=recipients
    )


delete = generated.delete
