"""service/queries/syntheses.py: one synthesis per meeting (upsert, create), partial
updates with their e-mail delivery rules, its JSONB lists, the seed's specialised reads,
the e-mail queue and summary search."""

import uuid
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest

from service.db import Listing
from service.queries import meetings, syntheses, users
from service.queries.meetings import Meeting
from service.queries.syntheses import Synthesis, SynthesisChanges, SynthesisFields
from tests.sql.conftest import db_now
from tests.sql.test_meetings import add_meeting, age

DECISIONS = [
    {"decision": "Ship v2 in March", "owner": {"name": "Ann", "email": "ann@example.com"}},
    {"decision": "Drop IE support", "votes": [3, 1], "unanimous": False},
]
ACTIONS = [
    {"task": "Write the RFC", "assignee": "Bo", "due": "2026-02-01", "done": False},
    {"task": "Book the venue", "assignee": None, "tags": ["ops", {"priority": 1}]},
]


async def add_synthesis(
    db: asyncpg.Connection,
    user: users.User,
    meeting: Meeting | None = None,
    summary: str = "A short summary",
    **fields: Any,
) -> Synthesis:
    if meeting is None:
        meeting = await add_meeting(db, user)
    stored = await syntheses.upsert(
        db,
        user_id=user.id,
        meeting_id=meeting.id,
        fields=SynthesisFields(summary=summary, **fields),
    )
    assert stored is not None
    synthesis, created = stored
    assert created is True
    return synthesis


async def stored_row(db: asyncpg.Connection, meeting_id: uuid.UUID) -> asyncpg.Record:
    row: asyncpg.Record = await db.fetchrow(
        "SELECT * FROM syntheses WHERE meeting_id = $1", meeting_id
    )
    return row


# upsert


async def test_upsert_creates_then_replaces(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)

    first = await syntheses.upsert(
        db,
        user_id=alice.id,
        meeting_id=meeting.id,
        fields=SynthesisFields(
            summary="first take",
            key_decisions=DECISIONS,
            llm_model="gpt-4o",
            llm_tokens_used=1200,
            processing_time_seconds=3.5,
            confidence_score=0.8,
            email_recipients=["ann@example.com"],
        ),
    )
    second = await syntheses.upsert(
        db,
        user_id=alice.id,
        meeting_id=meeting.id,
        fields=SynthesisFields(summary="second take, longer", key_topics=["hiring"]),
    )

    assert first is not None
    assert second is not None
    created, was_new = first
    replaced, replaced_is_new = second
    assert (was_new, replaced_is_new) == (True, False)
    assert replaced.id == created.id
    assert replaced.meeting_id == meeting.id
    assert replaced.summary == "second take, longer"
    assert replaced.summary_word_count == 3
    # replaced whole: what the second call did not give is back to its default
    assert replaced.key_decisions == []
    assert replaced.key_topics == ["hiring"]
    assert (replaced.llm_model, replaced.llm_tokens_used) == (None, None)
    assert (replaced.processing_time_seconds, replaced.confidence_score) == (None, None)
    assert replaced.email_recipients == []
    assert await syntheses.count_by_user(db, user_id=alice.id) == 1
    assert await syntheses.get_by_meeting_id(db, meeting_id=meeting.id, user_id=alice.id) == (
        replaced
    )


async def test_create_defaults(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)

    synthesis = await add_synthesis(db, alice, meeting, "Just a summary")

    assert isinstance(synthesis, Synthesis)
    assert (synthesis.user_id, synthesis.meeting_id) == (alice.id, meeting.id)
    assert synthesis.key_decisions == synthesis.action_items == []
    assert synthesis.open_questions == synthesis.key_topics == []
    assert synthesis.email_recipients == []
    assert synthesis.email_delivery_status == "pending"
    assert (synthesis.email_sent_at, synthesis.email_error) == (None, None)
    assert (synthesis.llm_model, synthesis.llm_tokens_used, synthesis.confidence_score) == (
        None,
        None,
        None,
    )
    now = await db_now(db)
    assert synthesis.created_at == synthesis.updated_at == now


async def test_replace_resets_the_email_delivery(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)
    await add_synthesis(db, alice, meeting, email_recipients=["ann@example.com"])
    sent = await syntheses.mark_email_sent(db, meeting_id=meeting.id, user_id=alice.id)
    assert sent is not None
    assert sent.email_delivery_status == "sent"

    stored = await syntheses.upsert(
        db,
        user_id=alice.id,
        meeting_id=meeting.id,
        fields=SynthesisFields(summary="corrected", email_recipients=["bo@example.com"]),
    )

    assert stored is not None
    replaced, created = stored
    assert created is False
    assert replaced.email_delivery_status == "pending"
    assert replaced.email_sent_at is None
    assert replaced.email_recipients == ["bo@example.com"]
    pending = await syntheses.list_pending_email(db, user_id=alice.id)
    assert [s.id for s in pending.items] == [replaced.id]
    assert pending.total == 1


async def test_replace_clears_a_delivery_error(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)
    await add_synthesis(db, alice, meeting)
    await syntheses.mark_email_failed(db, meeting_id=meeting.id, user_id=alice.id, error="smtp")

    stored = await syntheses.upsert(
        db, user_id=alice.id, meeting_id=meeting.id, fields=SynthesisFields(summary="again")
    )

    assert stored is not None
    assert (stored[0].email_delivery_status, stored[0].email_error) == ("pending", None)


@pytest.mark.parametrize(
    ("summary", "words"),
    [
        ("  a  b\n c ", 3),
        ("one", 1),
        ("The team agreed to ship on Friday.", 7),
        ("tabs\tand\r\nnewlines", 3),
    ],
)
async def test_summary_word_count_is_computed(
    db: asyncpg.Connection, alice: users.User, summary: str, words: int
) -> None:
    synthesis = await add_synthesis(db, alice, summary=summary)

    assert synthesis.summary_word_count == words


async def test_jsonb_lists_round_trip(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)
    questions = ["Who owns QA?", {"question": "Budget?", "raised_by": ["Ann", "Bo"]}]
    topics = ["roadmap", "hiring", 42, None, True, {"nested": {"deep": [1.5, "x"]}}]

    synthesis = await add_synthesis(
        db,
        alice,
        meeting,
        key_decisions=DECISIONS,
        action_items=ACTIONS,
        open_questions=questions,
        key_topics=topics,
        email_recipients=["ann@example.com", "bo@example.com"],
    )
    read = await syntheses.get_by_meeting_id(db, meeting_id=meeting.id, user_id=alice.id)

    for found in (synthesis, read):
        assert found is not None
        assert found.key_decisions == DECISIONS
        assert found.action_items == ACTIONS
        assert found.open_questions == questions
        assert found.key_topics == topics
        assert found.email_recipients == ["ann@example.com", "bo@example.com"]
    types = await db.fetchrow(
        "SELECT jsonb_typeof(key_decisions) AS d, jsonb_typeof(key_decisions -> 0 -> 'owner') AS o"
        " FROM syntheses WHERE meeting_id = $1",
        meeting.id,
    )
    assert (types["d"], types["o"]) == ("array", "object")


@pytest.mark.parametrize("score", [-0.01, 1.01, 1.5, -1.0])
async def test_confidence_outside_zero_to_one_is_refused(
    db: asyncpg.Connection, alice: users.User, score: float
) -> None:
    meeting = await add_meeting(db, alice)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await syntheses.upsert(
                db,
                user_id=alice.id,
                meeting_id=meeting.id,
                fields=SynthesisFields(summary="s", confidence_score=score),
            )

    assert caught.value.constraint_name == "syntheses_confidence_range"


@pytest.mark.parametrize("score", [0.0, 1.0, 0.5])
async def test_confidence_bounds_are_allowed(
    db: asyncpg.Connection, alice: users.User, score: float
) -> None:
    synthesis = await add_synthesis(db, alice, confidence_score=score)

    assert synthesis.confidence_score == score


async def test_blank_summary_is_refused(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await syntheses.upsert(
                db, user_id=alice.id, meeting_id=meeting.id, fields=SynthesisFields(summary=" \n ")
            )

    assert caught.value.constraint_name == "syntheses_summary_not_blank"


async def test_upsert_on_another_users_meeting_without_synthesis_is_a_fk_violation(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    meeting = await add_meeting(db, alice)

    with pytest.raises(asyncpg.ForeignKeyViolationError) as caught:
        async with db.transaction():
            await syntheses.upsert(
                db, user_id=bob.id, meeting_id=meeting.id, fields=SynthesisFields(summary="mine")
            )

    assert caught.value.constraint_name == "syntheses_meeting_fkey"
    assert await syntheses.get_by_meeting_id(db, meeting_id=meeting.id, user_id=alice.id) is None


async def test_upsert_on_another_users_synthesis_is_none_and_changes_nothing(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    meeting = await add_meeting(db, alice)
    original = await add_synthesis(db, alice, meeting, "alice's", key_topics=["private"])
    await syntheses.mark_email_sent(db, meeting_id=meeting.id, user_id=alice.id)
    before = await syntheses.get_by_meeting_id(db, meeting_id=meeting.id, user_id=alice.id)

    result = await syntheses.upsert(
        db, user_id=bob.id, meeting_id=meeting.id, fields=SynthesisFields(summary="bob's")
    )

    assert result is None
    after = await syntheses.get_by_meeting_id(db, meeting_id=meeting.id, user_id=alice.id)
    assert after == before
    assert after is not None
    assert (after.id, after.summary, after.email_delivery_status) == (
        original.id,
        "alice's",
        "sent",
    )
    assert await syntheses.count_by_user(db, user_id=bob.id) == 0


async def test_upsert_on_an_unknown_meeting_is_a_fk_violation(
    db: asyncpg.Connection, alice: users.User
) -> None:
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        async with db.transaction():
            await syntheses.upsert(
                db, user_id=alice.id, meeting_id=uuid.uuid4(), fields=SynthesisFields(summary="s")
            )


# reads


async def test_get_by_meeting_id_misses(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    with_one = await add_meeting(db, alice)
    without = await add_meeting(db, alice)
    await add_synthesis(db, alice, with_one)

    assert await syntheses.get_by_meeting_id(db, meeting_id=with_one.id, user_id=bob.id) is None
    assert await syntheses.get_by_meeting_id(db, meeting_id=without.id, user_id=alice.id) is None
    assert await syntheses.get_by_meeting_id(db, meeting_id=uuid.uuid4(), user_id=alice.id) is None


async def test_list_by_user_and_count(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    made = [await add_synthesis(db, alice, summary=f"s{i}") for i in range(4)]
    for minutes, synthesis in enumerate(made):
        await age(db, "syntheses", synthesis.id, minutes)
    await add_synthesis(db, bob)

    everything = await syntheses.list_by_user(db, user_id=alice.id, limit=10, offset=0)
    second_page = await syntheses.list_by_user(db, user_id=alice.id, limit=3, offset=3)

    assert [s.summary for s in everything.items] == ["s0", "s1", "s2", "s3"]
    assert [s.summary for s in second_page.items] == ["s3"]
    assert (everything.total, second_page.total) == (4, 4)
    assert await syntheses.count_by_user(db, user_id=alice.id) == 4
    last = everything.items[2]
    by_cursor = await syntheses.list_by_user(
        db, user_id=alice.id, after=(last.created_at, last.id), limit=3
    )
    assert by_cursor == Listing(everything.items[3:], 4)
    bobs = await syntheses.list_by_user(db, user_id=bob.id, limit=10)
    assert (len(bobs.items), bobs.total) == (1, 1)
    assert await syntheses.count_by_user(db, user_id=bob.id) == 1


async def test_get_with_decisions_only_non_empty(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    older = await add_synthesis(db, alice, summary="older", key_decisions=DECISIONS[:1])
    newer = await add_synthesis(db, alice, summary="newer", key_decisions=DECISIONS)
    await add_synthesis(db, alice, summary="actions only", action_items=ACTIONS)
    await add_synthesis(db, alice, summary="nothing")
    await add_synthesis(db, bob, summary="bob's", key_decisions=DECISIONS)
    await age(db, "syntheses", older.id, 30)

    found = await syntheses.list_with_decisions(db, user_id=alice.id)
    paged = await syntheses.list_with_decisions(db, user_id=alice.id, limit=1, offset=1)

    assert [s.id for s in found] == [newer.id, older.id]
    assert [s.id for s in paged] == [older.id]
    assert all(s.key_decisions for s in found)
    assert await syntheses.count_with_decisions(db, user_id=alice.id) == 2
    assert await syntheses.count_with_decisions(db, user_id=bob.id) == 1
    # list_by_user(has="decisions") is the same list, with its total
    assert await syntheses.list_by_user(db, user_id=alice.id, has="decisions", limit=10) == Listing(
        found, 2
    )
    assert await syntheses.list_by_user(
        db, user_id=alice.id, has="decisions", limit=1, offset=1
    ) == Listing(paged, 2)


async def test_get_with_action_items_only_non_empty(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    older = await add_synthesis(db, alice, summary="older", action_items=ACTIONS)
    newer = await add_synthesis(
        db, alice, summary="newer", action_items=ACTIONS[:1], key_decisions=DECISIONS
    )
    await add_synthesis(db, alice, summary="decisions only", key_decisions=DECISIONS)
    await add_synthesis(db, alice, summary="nothing")
    await add_synthesis(db, bob, summary="bob's", action_items=ACTIONS)
    await age(db, "syntheses", older.id, 30)

    found = await syntheses.list_with_action_items(db, user_id=alice.id)

    assert [s.id for s in found] == [newer.id, older.id]
    assert found[1].action_items == ACTIONS
    assert await syntheses.count_with_action_items(db, user_id=alice.id) == 2
    # list_by_user(has="action_items") is the same list, with its total
    assert await syntheses.list_by_user(
        db, user_id=alice.id, has="action_items", limit=10
    ) == Listing(found, 2)
    assert (
        await syntheses.list_by_user(db, user_id=bob.id, has="action_items", limit=10)
    ).total == 1
    assert await syntheses.count_with_action_items(db, user_id=bob.id) == 1
    assert [s.summary for s in await syntheses.list_with_action_items(db, user_id=bob.id)] == [
        "bob's"
    ]


async def test_counts_with_nothing_are_zero(db: asyncpg.Connection, alice: users.User) -> None:
    await add_synthesis(db, alice)

    assert await syntheses.count_with_decisions(db, user_id=alice.id) == 0
    assert await syntheses.count_with_action_items(db, user_id=alice.id) == 0
    assert await syntheses.list_with_decisions(db, user_id=alice.id) == []
    assert await syntheses.list_with_action_items(db, user_id=alice.id) == []
    assert await syntheses.list_by_user(db, user_id=alice.id, has="decisions", limit=10) == Listing(
        [], 0
    )
    assert await syntheses.list_by_user(
        db, user_id=alice.id, has="action_items", limit=10
    ) == Listing([], 0)


# the e-mail queue


async def test_get_pending_email_oldest_first_with_failed_ones_and_without_sent_ones(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    oldest = await add_synthesis(db, alice, summary="oldest")
    middle = await add_synthesis(db, alice, summary="middle")
    newest = await add_synthesis(db, alice, summary="newest")
    sent = await add_synthesis(db, alice, summary="sent")
    failed = await add_synthesis(db, alice, summary="failed")
    await add_synthesis(db, bob, summary="bob's")
    for minutes, synthesis in [(30, oldest), (20, middle), (10, newest), (40, sent), (25, failed)]:
        await age(db, "syntheses", synthesis.id, minutes)
    await syntheses.mark_email_sent(db, meeting_id=sent.meeting_id, user_id=alice.id)
    await syntheses.mark_email_failed(db, meeting_id=failed.meeting_id, user_id=alice.id, error="x")

    queue = await syntheses.list_pending_email(db, user_id=alice.id)
    second = await syntheses.list_pending_email(db, user_id=alice.id, limit=1, offset=1)

    # A failed delivery is due a retry: it waits in the queue by age like the pending ones.
    assert [s.summary for s in queue.items] == ["oldest", "failed", "middle", "newest"]
    assert [s.email_delivery_status for s in queue.items] == [
        "pending",
        "failed",
        "pending",
        "pending",
    ]
    assert all(s.email_sent_at is None for s in queue.items)
    assert [s.summary for s in second.items] == ["failed"]
    assert (queue.total, second.total) == (4, 4)
    assert await syntheses.count_pending_email(db, user_id=alice.id) == 4
    # oldest first, so the cursor is the previous page's last (created_at, id) going up
    head = queue.items[1]
    after = await syntheses.list_pending_email(
        db, user_id=alice.id, after=(head.created_at, head.id), limit=10
    )
    assert after == Listing(queue.items[2:], 4)
    bobs = await syntheses.list_pending_email(db, user_id=bob.id)
    assert [s.summary for s in bobs.items] == ["bob's"]
    assert bobs.total == 1
    assert await syntheses.count_pending_email(db, user_id=bob.id) == 1


async def test_mark_email_sent(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)
    await add_synthesis(db, alice, meeting, email_recipients=["old@example.com"])
    await syntheses.mark_email_failed(db, meeting_id=meeting.id, user_id=alice.id, error="first")

    sent = await syntheses.mark_email_sent(
        db,
        meeting_id=meeting.id,
        user_id=alice.id,
        recipients=["ann@example.com", "bo@example.com"],
    )

    assert sent is not None
    now = await db_now(db)
    assert isinstance(sent.email_sent_at, datetime)
    assert sent.email_sent_at.tzinfo is not None
    assert sent.email_sent_at == now
    assert sent.email_delivery_status == "sent"
    assert sent.email_recipients == ["ann@example.com", "bo@example.com"]
    assert sent.email_error is None
    column_type = await db.fetchval(
        "SELECT data_type FROM information_schema.columns"
        " WHERE table_name = 'syntheses' AND column_name = 'email_sent_at'"
    )
    assert column_type == "timestamp with time zone"
    assert await syntheses.list_pending_email(db, user_id=alice.id) == Listing([], 0)


async def test_mark_email_sent_without_recipients_keeps_them(
    db: asyncpg.Connection, alice: users.User
) -> None:
    meeting = await add_meeting(db, alice)
    await add_synthesis(db, alice, meeting, email_recipients=["ann@example.com"])

    sent = await syntheses.mark_email_sent(db, meeting_id=meeting.id, user_id=alice.id)

    assert sent is not None
    assert sent.email_recipients == ["ann@example.com"]
    assert sent.email_delivery_status == "sent"


async def test_mark_email_failed_puts_it_back_in_the_queue(
    db: asyncpg.Connection, alice: users.User
) -> None:
    meeting = await add_meeting(db, alice)
    await add_synthesis(db, alice, meeting, email_recipients=["ann@example.com"])
    await syntheses.mark_email_sent(db, meeting_id=meeting.id, user_id=alice.id)

    failed = await syntheses.mark_email_failed(
        db, meeting_id=meeting.id, user_id=alice.id, error="smtp down"
    )

    assert failed is not None
    assert failed.email_delivery_status == "failed"
    assert failed.email_error == "smtp down"
    assert failed.email_sent_at is None
    assert failed.email_recipients == ["ann@example.com"]
    assert await syntheses.list_pending_email(db, user_id=alice.id) == Listing([failed], 1)
    assert await syntheses.count_pending_email(db, user_id=alice.id) == 1


async def test_marking_another_users_or_a_missing_synthesis_is_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    meeting = await add_meeting(db, alice)
    bare = await add_meeting(db, alice)
    original = await add_synthesis(db, alice, meeting)

    assert await syntheses.mark_email_sent(db, meeting_id=meeting.id, user_id=bob.id) is None
    assert (
        await syntheses.mark_email_failed(db, meeting_id=meeting.id, user_id=bob.id, error="x")
        is None
    )
    assert await syntheses.mark_email_sent(db, meeting_id=bare.id, user_id=alice.id) is None
    assert (
        await syntheses.mark_email_failed(db, meeting_id=bare.id, user_id=alice.id, error="x")
        is None
    )
    after = await syntheses.get_by_meeting_id(db, meeting_id=meeting.id, user_id=alice.id)
    assert after == original


async def test_sent_status_and_sent_time_go_together(
    db: asyncpg.Connection, alice: users.User
) -> None:
    synthesis = await add_synthesis(db, alice)

    for statement in [
        "UPDATE syntheses SET email_delivery_status = 'sent' WHERE id = $1",
        "UPDATE syntheses SET email_sent_at = now() WHERE id = $1",
        "UPDATE syntheses SET email_delivery_status = 'failed', email_sent_at = now()"
        " WHERE id = $1",
    ]:
        with pytest.raises(asyncpg.CheckViolationError) as caught:
            async with db.transaction():
                await db.execute(statement, synthesis.id)
        assert caught.value.constraint_name == "syntheses_sent_has_time", statement

    await db.execute(
        "UPDATE syntheses SET email_delivery_status = 'sent', email_sent_at = now() WHERE id = $1",
        synthesis.id,
    )
    row = await stored_row(db, synthesis.meeting_id)
    assert row["email_delivery_status"] == "sent"


async def test_unknown_delivery_status_is_refused(
    db: asyncpg.Connection, alice: users.User
) -> None:
    synthesis = await add_synthesis(db, alice)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await db.execute(
                "UPDATE syntheses SET email_delivery_status = 'bounced' WHERE id = $1",
                synthesis.id,
            )

    assert caught.value.constraint_name == "syntheses_email_delivery_status_check"


# search_summary


async def test_search_summary_ranks_the_better_match_first(
    db: asyncpg.Connection, alice: users.User
) -> None:
    best = await add_synthesis(
        db, alice, summary="Budget talk: the budget grows, budget owners named."
    )
    good = await add_synthesis(db, alice, summary="The budget was discussed briefly.")
    await add_synthesis(db, alice, summary="Hiring plans for Q2.")
    await age(db, "syntheses", best.id, 60)  # oldest, so only its rank puts it first

    found = await syntheses.search_summary(db, user_id=alice.id, query="BUDGETS")

    assert [s.id for s in found.items] == [best.id, good.id]
    assert (found.total, found.exact) == (2, True)
    assert (await syntheses.search_summary(db, user_id=alice.id, query="budgets")).total == 2


async def test_search_summary_is_stemmed_and_needs_every_word(
    db: asyncpg.Connection, alice: users.User
) -> None:
    match = await add_synthesis(db, alice, summary="We decided to hire two engineers.")
    await add_synthesis(db, alice, summary="We decided nothing.")

    found = await syntheses.search_summary(db, user_id=alice.id, query="Decide HIRING")
    missing_word = await syntheses.search_summary(db, user_id=alice.id, query="decided firing")
    quoted = await syntheses.search_summary(db, user_id=alice.id, query='"two engineers"')

    assert found == Listing([match], 1)
    assert missing_word == Listing([], 0)
    assert quoted == Listing([match], 1)
    stemmed = await syntheses.search_summary(db, user_id=alice.id, query="hires engineer")
    assert stemmed == Listing([match], 1)


async def test_search_summary_pages_counts_and_tenancy(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    for i in range(5):
        await add_synthesis(db, alice, summary=f"Roadmap review number {i}")
    await add_synthesis(db, bob, summary="Roadmap secrets")

    first = await syntheses.search_summary(db, user_id=alice.id, query="roadmap", limit=3)
    rest = await syntheses.search_summary(db, user_id=alice.id, query="roadmap", limit=3, offset=3)

    assert len(first.items) == 3
    assert len(rest.items) == 2
    assert {s.id for s in first.items}.isdisjoint({s.id for s in rest.items})
    assert (first.total, rest.total) == (5, 5)
    bobs = await syntheses.search_summary(db, user_id=bob.id, query="roadmap")
    assert [s.summary for s in bobs.items] == ["Roadmap secrets"]
    assert bobs.total == 1
    assert await syntheses.search_summary(db, user_id=bob.id, query="review") == Listing([], 0)


# delete


async def test_delete(db: asyncpg.Connection, alice: users.User, bob: users.User) -> None:
    meeting = await add_meeting(db, alice)
    await add_synthesis(db, alice, meeting)

    assert await syntheses.delete(db, meeting_id=meeting.id, user_id=bob.id) is False
    assert await syntheses.delete(db, meeting_id=meeting.id, user_id=alice.id) is True
    assert await syntheses.delete(db, meeting_id=meeting.id, user_id=alice.id) is False
    assert await syntheses.get_by_meeting_id(db, meeting_id=meeting.id, user_id=alice.id) is None
    assert await meetings.exists(db, meeting_id=meeting.id, user_id=alice.id) is True
    recreated = await syntheses.upsert(
        db, user_id=alice.id, meeting_id=meeting.id, fields=SynthesisFields(summary="new")
    )
    assert recreated is not None
    assert recreated[1] is True


# create


async def test_create_stores_every_field(db: asyncpg.Connection, alice: users.User) -> None:
    meeting = await add_meeting(db, alice)

    created = await syntheses.create(
        db,
        user_id=alice.id,
        meeting_id=meeting.id,
        fields=SynthesisFields(
            summary="  We agreed to ship\nin March.  ",
            key_decisions=DECISIONS,
            action_items=ACTIONS,
            open_questions=["Who pays?"],
            key_topics=["launch"],
            llm_model="gpt-4o",
            llm_tokens_used=1200,
            processing_time_seconds=3.5,
            confidence_score=0.8,
            email_recipients=["ann@example.com"],
        ),
    )

    now = await db_now(db)
    assert (created.user_id, created.meeting_id) == (alice.id, meeting.id)
    assert created.summary == "  We agreed to ship\nin March.  "
    assert created.summary_word_count == 6
    assert (created.key_decisions, created.action_items) == (DECISIONS, ACTIONS)
    assert (created.open_questions, created.key_topics) == (["Who pays?"], ["launch"])
    assert (created.llm_model, created.llm_tokens_used) == ("gpt-4o", 1200)
    assert (created.processing_time_seconds, created.confidence_score) == (3.5, 0.8)
    assert created.email_recipients == ["ann@example.com"]
    assert (created.email_delivery_status, created.email_sent_at) == ("pending", None)
    assert created.email_error is None
    assert created.created_at == created.updated_at == now
    assert await syntheses.get_by_meeting_id(db, meeting_id=meeting.id, user_id=alice.id) == (
        created
    )
    assert await syntheses.list_pending_email(db, user_id=alice.id) == Listing([created], 1)


async def test_create_a_second_synthesis_of_a_meeting_is_a_unique_violation(
    db: asyncpg.Connection, alice: users.User
) -> None:
    meeting = await add_meeting(db, alice)
    first = await syntheses.create(
        db, user_id=alice.id, meeting_id=meeting.id, fields=SynthesisFields(summary="first")
    )

    with pytest.raises(asyncpg.UniqueViolationError) as caught:
        async with db.transaction():
            await syntheses.create(
                db, user_id=alice.id, meeting_id=meeting.id, fields=SynthesisFields(summary="2nd")
            )

    assert caught.value.constraint_name == "uq_syntheses_meeting_id"
    assert await syntheses.get_by_meeting_id(db, meeting_id=meeting.id, user_id=alice.id) == first


async def test_create_on_another_users_or_an_unknown_meeting_is_a_fk_violation(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    alices = await add_meeting(db, alice)

    for meeting_id in (alices.id, uuid.uuid4()):
        with pytest.raises(asyncpg.ForeignKeyViolationError) as caught:
            async with db.transaction():
                await syntheses.create(
                    db, user_id=bob.id, meeting_id=meeting_id, fields=SynthesisFields(summary="s")
                )
        assert caught.value.constraint_name == "syntheses_meeting_fkey"
    assert await db.fetchval("SELECT count(*) FROM syntheses WHERE user_id = $1", bob.id) == 0


# update


async def update(db: asyncpg.Connection, synthesis: Synthesis, **changes: Any) -> Synthesis:
    updated = await syntheses.update(
        db,
        meeting_id=synthesis.meeting_id,
        user_id=synthesis.user_id,
        changes=SynthesisChanges(**changes),
    )
    assert updated is not None
    return updated


async def test_update_with_nothing_keeps_every_field(
    db: asyncpg.Connection, alice: users.User
) -> None:
    original = await add_synthesis(
        db, alice, key_decisions=DECISIONS, llm_model="m", email_recipients=["a@example.com"]
    )

    assert await update(db, original) == original


async def test_update_changes_the_given_fields_only(
    db: asyncpg.Connection, alice: users.User
) -> None:
    original = await add_synthesis(
        db,
        alice,
        summary="two words",
        key_decisions=DECISIONS,
        open_questions=["Why?"],
        llm_model="old-model",
        llm_tokens_used=10,
        processing_time_seconds=1.0,
        confidence_score=0.5,
        email_recipients=["ann@example.com"],
    )

    updated = await update(
        db,
        original,
        summary="now it has four words",
        action_items=ACTIONS,
        key_topics=["budget"],
        llm_model="new-model",
        confidence_score=0.0,
        email_recipients=[],
    )

    assert updated.summary == "now it has four words"
    assert updated.summary_word_count == 5
    assert updated.action_items == ACTIONS
    assert updated.key_topics == ["budget"]
    assert updated.llm_model == "new-model"
    assert updated.confidence_score == 0.0
    assert updated.email_recipients == []
    # Not given, so kept:
    assert updated.key_decisions == DECISIONS
    assert updated.open_questions == ["Why?"]
    assert (updated.llm_tokens_used, updated.processing_time_seconds) == (10, 1.0)
    assert (updated.email_delivery_status, updated.email_sent_at) == ("pending", None)
    assert (updated.id, updated.created_at) == (original.id, original.created_at)
    assert (
        await syntheses.get_by_meeting_id(db, meeting_id=original.meeting_id, user_id=alice.id)
        == updated
    )


async def test_update_email_sent_at_marks_it_sent_at_that_time(
    db: asyncpg.Connection, alice: users.User
) -> None:
    original = await add_synthesis(db, alice)
    await syntheses.mark_email_failed(
        db, meeting_id=original.meeting_id, user_id=alice.id, error="smtp down"
    )
    when = await db_now(db) - timedelta(hours=3)

    updated = await update(db, original, email_sent_at=when)

    assert updated.email_delivery_status == "sent"
    assert updated.email_sent_at == when
    assert updated.email_error is None
    assert await syntheses.list_pending_email(db, user_id=alice.id) == Listing([], 0)
    assert await syntheses.count_pending_email(db, user_id=alice.id) == 0


async def test_update_status_sent_without_a_time_uses_now(
    db: asyncpg.Connection, alice: users.User
) -> None:
    original = await add_synthesis(db, alice)

    updated = await update(db, original, email_delivery_status="sent")

    assert updated.email_delivery_status == "sent"
    assert updated.email_sent_at == await db_now(db)


async def test_update_status_sent_again_keeps_the_recorded_time(
    db: asyncpg.Connection, alice: users.User
) -> None:
    original = await add_synthesis(db, alice)
    when = await db_now(db) - timedelta(days=2)
    await update(db, original, email_sent_at=when)

    again = await update(db, original, email_delivery_status="sent")
    edited = await update(db, original, summary="edited after sending")

    assert (again.email_delivery_status, again.email_sent_at) == ("sent", when)
    assert (edited.email_delivery_status, edited.email_sent_at) == ("sent", when)


async def test_update_status_pending_clears_the_time_and_the_error(
    db: asyncpg.Connection, alice: users.User
) -> None:
    sent = await add_synthesis(db, alice)
    await update(db, sent, email_delivery_status="sent")
    failed = await add_synthesis(db, alice)
    await update(db, failed, email_delivery_status="failed", email_error="bounced")

    from_sent = await update(db, sent, email_delivery_status="pending")
    from_failed = await update(db, failed, email_delivery_status="pending")

    for synthesis in (from_sent, from_failed):
        assert synthesis.email_delivery_status == "pending"
        assert synthesis.email_sent_at is None
        assert synthesis.email_error is None
    queue = await syntheses.list_pending_email(db, user_id=alice.id)
    assert {s.id for s in queue.items} == {sent.id, failed.id}
    assert queue.total == 2


async def test_update_status_failed_clears_the_time_and_keeps_the_error(
    db: asyncpg.Connection, alice: users.User
) -> None:
    original = await add_synthesis(db, alice)
    await update(db, original, email_delivery_status="sent")

    failed = await update(db, original, email_delivery_status="failed", email_error="bounced")
    failed_again = await update(db, original, email_delivery_status="failed")
    edited = await update(db, original, llm_model="other")
    new_error = await update(db, original, email_error="mailbox full")

    assert (failed.email_delivery_status, failed.email_sent_at) == ("failed", None)
    assert failed.email_error == "bounced"
    assert failed_again.email_error == "bounced"
    assert (edited.email_delivery_status, edited.email_error) == ("failed", "bounced")
    assert (new_error.email_delivery_status, new_error.email_error) == ("failed", "mailbox full")
    assert await syntheses.list_pending_email(db, user_id=alice.id) == Listing([new_error], 1)


async def test_update_keeps_an_error_only_while_failed(
    db: asyncpg.Connection, alice: users.User
) -> None:
    pending = await add_synthesis(db, alice)
    sent = await add_synthesis(db, alice)

    pending_with_error = await update(db, pending, email_error="ignored")
    sent_with_error = await update(
        db, sent, email_delivery_status="sent", email_error="also ignored"
    )

    assert (pending_with_error.email_delivery_status, pending_with_error.email_error) == (
        "pending",
        None,
    )
    assert (sent_with_error.email_delivery_status, sent_with_error.email_error) == ("sent", None)


async def test_update_a_time_with_a_status_other_than_sent_lets_the_status_win(
    db: asyncpg.Connection, alice: users.User
) -> None:
    """The API refuses this pair with 400; the query itself never stores a
    contradiction (syntheses_sent_has_time)."""
    original = await add_synthesis(db, alice)
    when = await db_now(db)

    pending = await update(db, original, email_sent_at=when, email_delivery_status="pending")
    failed = await update(
        db, original, email_sent_at=when, email_delivery_status="failed", email_error="e"
    )

    assert (pending.email_delivery_status, pending.email_sent_at) == ("pending", None)
    assert (failed.email_delivery_status, failed.email_sent_at) == ("failed", None)


async def test_update_of_another_users_or_a_missing_synthesis_is_none(
    db: asyncpg.Connection, alice: users.User, bob: users.User
) -> None:
    original = await add_synthesis(db, alice)
    bare = await add_meeting(db, alice)

    for meeting_id, user_id in [
        (original.meeting_id, bob.id),
        (bare.id, alice.id),
        (uuid.uuid4(), alice.id),
    ]:
        updated = await syntheses.update(
            db,
            meeting_id=meeting_id,
            user_id=user_id,
            changes=SynthesisChanges(summary="hijacked", email_delivery_status="sent"),
        )
        assert updated is None
    after = await syntheses.get_by_meeting_id(db, meeting_id=original.meeting_id, user_id=alice.id)
    assert after == original
    assert await syntheses.get_by_meeting_id(db, meeting_id=bare.id, user_id=alice.id) is None


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"confidence_score": 1.5}, "syntheses_confidence_range"),
        ({"llm_tokens_used": -1}, "syntheses_llm_tokens_not_negative"),
        ({"summary": " \n "}, "syntheses_summary_not_blank"),
        ({"email_delivery_status": "bounced"}, "syntheses_email_delivery_status_check"),
        ({"key_topics": {"not": "a list"}}, "syntheses_lists_are_arrays"),
    ],
)
async def test_update_with_a_bad_value_is_refused_and_changes_nothing(
    db: asyncpg.Connection, alice: users.User, changes: dict[str, Any], constraint: str
) -> None:
    original = await add_synthesis(db, alice)

    with pytest.raises(asyncpg.CheckViolationError) as caught:
        async with db.transaction():
            await update(db, original, **changes)

    assert caught.value.constraint_name == constraint
    after = await syntheses.get_by_meeting_id(db, meeting_id=original.meeting_id, user_id=alice.id)
    assert after == original
