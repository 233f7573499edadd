"""Recorded meetings, their participants and their AI synthesis."""

import contextlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import asyncpg
import msgspec
from litestar import Controller, Response, delete, get, patch, post, put
from litestar.exceptions import NotFoundException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK
from msgspec import UNSET, UnsetType

from service.api.created import created
from service.api.deps import MAX_PAGE, CurrentUser, Db, Paging
from service.api.pages import Cursor
from service.api.patching import split
from service.fields import (
    EMAIL,
    NON_BLANK,
    NON_BLANK_PATTERN,
    Email,
    LongText,
    NonNegativeInt,
    Timestamp,
    check_finite_times,
)
from service.queries import meetings, participants, syntheses
from service.queries.generated import meetings as meeting_columns
from service.queries.generated import participants as participant_columns
from service.queries.generated import syntheses as synthesis_columns
from service.queries.meetings import (
    Meeting,
    MeetingFields,
    MeetingStatus,
    MeetingWithParticipants,
)
from service.queries.participants import Participant
from service.queries.syntheses import Synthesis, SynthesisChanges, SynthesisFields

MEETINGS = Cursor[tuple[datetime, UUID]]("meetings", tuple[datetime, UUID])
SYNTHESES = Cursor[tuple[datetime, UUID]]("syntheses", tuple[datetime, UUID])
PENDING_EMAIL = Cursor[tuple[datetime, UUID]]("syntheses/pending-email", tuple[datetime, UUID])

Title = Annotated[meeting_columns.Title, NON_BLANK]
Platform = Annotated[meeting_columns.Platform, msgspec.Meta(min_length=1)]
TranscriptionProvider = Annotated[meeting_columns.TranscriptionProvider, msgspec.Meta(min_length=1)]
SynthesisProvider = Annotated[meeting_columns.SynthesisProvider, msgspec.Meta(min_length=1)]
ParticipantName = Annotated[participant_columns.Name, NON_BLANK]
ParticipantEmail = Annotated[participant_columns.Email, EMAIL]
Transcript = Annotated[str, msgspec.Meta(max_length=10_000_000)]
JsonList = Annotated[list[Any], msgspec.Meta(max_length=1000)]


class MeetingPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Null clears a field (title and status always have a value). Word count and
    duration are computed, so they are not accepted."""

    title: Title | UnsetType = UNSET
    description: LongText | UnsetType | None = UNSET
    status: MeetingStatus | UnsetType = UNSET
    scheduled_at: Timestamp | UnsetType | None = UNSET
    started_at: Timestamp | UnsetType | None = UNSET
    ended_at: Timestamp | UnsetType | None = UNSET
    platform: Platform | UnsetType | None = UNSET
    platform_meeting_id: meeting_columns.PlatformMeetingId | UnsetType | None = UNSET
    meeting_url: meeting_columns.MeetingUrl | UnsetType | None = UNSET
    transcript: Transcript | UnsetType | None = UNSET
    transcription_provider: TranscriptionProvider | UnsetType | None = UNSET
    synthesis_provider: SynthesisProvider | UnsetType | None = UNSET
    processing_time_seconds: NonNegativeInt | UnsetType | None = UNSET
    error_message: LongText | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_finite_times(self)

    def fields(self) -> MeetingFields:
        values, _ = split(self)
        return MeetingFields(**{f: values[f] for f in MeetingFields.__struct_fields__})


class ParticipantIn(msgspec.Struct, forbid_unknown_fields=True):
    name: ParticipantName
    email: ParticipantEmail | None = None
    is_organizer: bool = False


class ParticipantPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: ParticipantName | UnsetType = UNSET
    email: ParticipantEmail | UnsetType | None = UNSET
    is_organizer: bool | UnsetType = UNSET


class MeetingIn(MeetingPatch, kw_only=True):
    title: Title
    # A meeting starts its lifecycle at the start: PATCH moves it on from there.
    status: Literal["pending"] | UnsetType = UNSET
    participants: Annotated[list[ParticipantIn], msgspec.Meta(max_length=1000)] = []


# Full-text indexed, like chunk text: a tsvector holds at most 1 MB.
Summary = Annotated[str, msgspec.Meta(min_length=1, max_length=500_000, pattern=NON_BLANK_PATTERN)]


class SynthesisIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    summary: Summary
    key_decisions: JsonList = []
    action_items: JsonList = []
    open_questions: JsonList = []
    key_topics: JsonList = []
    llm_model: synthesis_columns.LlmModel | None = None
    llm_tokens_used: NonNegativeInt | None = None
    processing_time_seconds: Annotated[float, msgspec.Meta(ge=0)] | None = None
    confidence_score: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None
    email_recipients: Annotated[list[Email], msgspec.Meta(max_length=500)] = []


class SynthesisPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Null clears a nullable field; clearing email_sent_at makes delivery pending."""

    summary: Summary | UnsetType = UNSET
    key_decisions: JsonList | UnsetType = UNSET
    action_items: JsonList | UnsetType = UNSET
    open_questions: JsonList | UnsetType = UNSET
    key_topics: JsonList | UnsetType = UNSET
    llm_model: synthesis_columns.LlmModel | UnsetType | None = UNSET
    llm_tokens_used: NonNegativeInt | UnsetType | None = UNSET
    processing_time_seconds: Annotated[float, msgspec.Meta(ge=0)] | UnsetType | None = UNSET
    confidence_score: Annotated[float, msgspec.Meta(ge=0, le=1)] | UnsetType | None = UNSET
    email_recipients: Annotated[list[Email], msgspec.Meta(max_length=500)] | UnsetType = UNSET
    email_sent_at: Timestamp | UnsetType | None = UNSET
    email_delivery_status: Literal["pending", "sent", "failed"] | UnsetType = UNSET
    email_error: LongText | UnsetType | None = UNSET

    def __post_init__(self) -> None:
        check_finite_times(self)


class EmailDeliveryIn(msgspec.Struct, forbid_unknown_fields=True):
    email_delivery_status: Literal["sent", "failed"]
    email_recipients: Annotated[list[Email], msgspec.Meta(max_length=500)] | None = None
    email_error: LongText | None = None


def _meeting_not_found(meeting_id: UUID) -> NotFoundException:
    return NotFoundException(f"meeting {meeting_id} not found")


def _participant_not_found(participant_id: UUID) -> NotFoundException:
    return NotFoundException(f"participant {participant_id} not found")


async def _require_meeting(db: Db, meeting_id: UUID, user_id: UUID) -> None:
    if not await meetings.exists(db, meeting_id=meeting_id, user_id=user_id):
        raise _meeting_not_found(meeting_id)


async def _with_participants(db: Db, meeting_id: UUID, user_id: UUID) -> MeetingWithParticipants:
    found = await meetings.get_with_participants(db, meeting_id=meeting_id, user_id=user_id)
    if found is None:
        raise _meeting_not_found(meeting_id)
    return found


@contextlib.contextmanager
def _duration_must_fit() -> Iterator[None]:
    """The database computes duration_seconds (an integer) from started_at and ended_at;
    the other integers of a meeting are bounded before they get there, so a number out
    of range in its write is that duration."""
    try:
        yield
    except asyncpg.NumericValueOutOfRangeError:
        raise ValidationException(
            "ended_at is too far after started_at: duration_seconds must fit in an integer"
            " (a meeting of at most 68 years)"
        ) from None


class MeetingController(Controller):
    path = "/meetings"
    tags = ["meetings"]

    @post("/", summary="Record a meeting, optionally with its participants")
    async def create_one(
        self, data: JSONBody[MeetingIn], db: Db, user: CurrentUser
    ) -> Response[MeetingWithParticipants]:
        """Creates a meeting in status `pending` (the only one accepted here) with its
        `participants` in the order given, and answers both. `duration_seconds` and
        `transcript_word_count` are computed by the database. Two participants with one e-mail (in
        any case) are 409, and then nothing is stored."""
        with _duration_must_fit():
            meeting = await meetings.create(
                db, user_id=user.id, title=data.title, fields=data.fields()
            )
        for person in data.participants:
            await participants.create(
                db,
                user_id=user.id,
                meeting_id=meeting.id,
                name=person.name,
                email=person.email,
                is_organizer=person.is_organizer,
            )
        return created(await _with_participants(db, meeting.id, user.id), f"/meetings/{meeting.id}")

    @get("/", summary="The caller's meetings, newest first; ?q= searches titles, best first")
    async def list_all(
        self,
        db: Db,
        user: CurrentUser,
        page: Paging,
        status: Annotated[MeetingStatus | None, QueryParameter()] = None,
        platform: Annotated[str | None, QueryParameter(max_length=50)] = None,
        q: Annotated[
            str | None, QueryParameter(min_length=1, max_length=500, pattern=NON_BLANK_PATTERN)
        ] = None,
    ) -> Response[Sequence[Meeting]]:
        """Newest first, narrowed by `status` and `platform`; pages by `limit` and `offset`, or
        `after` (the cursor in `Link: rel="next"`). `q` instead searches titles full-text (stemmed,
        any case), best match first, and pages by offset only: with a filter or `after` it is 400.
        `X-Total-Count` is exact up to 10,000 (see `X-Total-Count-Exact`)."""
        if q is not None:
            if status is not None or platform is not None:
                raise ValidationException("q searches all meetings: drop status and platform")
            if page.after_token is not None:
                raise ValidationException("a title search pages by offset, not after")
            matches = await meetings.search_by_title(
                db, user_id=user.id, query=q, limit=page.fetch, offset=page.offset
            )
            return page.respond(matches)
        found = await meetings.list_by_user(
            db,
            user_id=user.id,
            status=status,
            platform=platform,
            after=page.after(MEETINGS),
            limit=page.fetch,
            offset=page.offset,
        )
        return page.respond(found, MEETINGS, lambda m: (m.created_at, m.id))

    @get("/recent", summary="The caller's most recent meetings")
    async def recent(
        self,
        db: Db,
        user: CurrentUser,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)] = 10,
    ) -> list[Meeting]:
        """The caller's newest `limit` meetings (default 10) as one plain list: no paging, no
        `X-Total-Count`."""
        return await meetings.list_recent(db, user_id=user.id, limit=limit)

    @get("/by-platform-id/{platform_meeting_id:str}", summary="Find by the platform's meeting id")
    async def by_platform_id(
        self,
        platform_meeting_id: Annotated[str, PathParameter(max_length=255)],
        db: Db,
        user: CurrentUser,
        platform: Annotated[str | None, QueryParameter(max_length=50)] = None,
    ) -> Meeting:
        """The caller's newest meeting with this platform meeting id, optionally only on `platform`;
        404 when there is none. The id need not be unique: older meetings with it are not
        answered."""
        found = await meetings.get_by_platform_meeting_id(
            db, user_id=user.id, platform_meeting_id=platform_meeting_id, platform=platform
        )
        if found is None:
            raise NotFoundException(f"no meeting with platform_meeting_id {platform_meeting_id}")
        return found

    @get("/{meeting_id:uuid}", summary="A meeting with its participants")
    async def get_one(
        self, meeting_id: FromPath[UUID], db: Db, user: CurrentUser
    ) -> MeetingWithParticipants:
        """A meeting of the caller's with its participants in the order added. Another user's id is
        404, like a missing one."""
        return await _with_participants(db, meeting_id, user.id)

    @patch("/{meeting_id:uuid}", summary="Edit a meeting or move its status (409 if invalid)")
    async def update_one(
        self, meeting_id: FromPath[UUID], data: JSONBody[MeetingPatch], db: Db, user: CurrentUser
    ) -> Meeting:
        """A key left out stays; `null` clears a field, except `title` and `status` (400). `status`
        moves pending to transcribing (or straight to synthesizing), then synthesizing, then
        completed; any unfinished step may go to failed, and failed back to pending. Any other move
        is 409; the answer has no participants."""
        _, cleared = split(data)
        with _duration_must_fit():
            updated = await meetings.update(
                db, meeting_id=meeting_id, user_id=user.id, fields=data.fields(), cleared=cleared
            )
        if updated is None:
            raise _meeting_not_found(meeting_id)
        return updated

    @delete("/{meeting_id:uuid}", summary="Delete a meeting, its participants and synthesis")
    async def remove(self, meeting_id: FromPath[UUID], db: Db, user: CurrentUser) -> None:
        """Deletes the meeting together with its participants and its synthesis."""
        if not await meetings.delete(db, meeting_id=meeting_id, user_id=user.id):
            raise _meeting_not_found(meeting_id)

    @post(
        "/{meeting_id:uuid}/participants",
        summary="Add a participant (409 if the e-mail is there already)",
    )
    async def add_participant(
        self, meeting_id: FromPath[UUID], data: JSONBody[ParticipantIn], db: Db, user: CurrentUser
    ) -> Response[Participant]:
        """Adds a participant at the end of the meeting's list. An e-mail the meeting has already,
        in any case, is 409."""
        await _require_meeting(db, meeting_id, user.id)
        person = await participants.create(
            db,
            user_id=user.id,
            meeting_id=meeting_id,
            name=data.name,
            email=data.email,
            is_organizer=data.is_organizer,
        )
        return created(person, f"/meetings/{meeting_id}/participants/{person.id}")

    @get("/{meeting_id:uuid}/participants", summary="A meeting's participants in the order added")
    async def list_participants(
        self, meeting_id: FromPath[UUID], db: Db, user: CurrentUser, page: Paging
    ) -> Response[Sequence[Participant]]:
        """The meeting's participants in the order added. Pages by `limit` and `offset` (the `Link:
        rel="next"` header carries the next offset); `X-Total-Count` is exact."""
        found = await participants.list_by_meeting(
            db, meeting_id=meeting_id, user_id=user.id, limit=page.fetch, offset=page.offset
        )
        if found is None:
            raise _meeting_not_found(meeting_id)
        return page.respond(found)

    @get(
        "/{meeting_id:uuid}/participants/{participant_id:uuid}",
        summary="A participant of the meeting",
    )
    async def get_participant(
        self,
        meeting_id: FromPath[UUID],
        participant_id: FromPath[UUID],
        db: Db,
        user: CurrentUser,
    ) -> Participant:
        """A participant, found only under its own meeting and only if that is the caller's;
        anything else is 404."""
        found = await participants.get_by_id(
            db, participant_id=participant_id, meeting_id=meeting_id, user_id=user.id
        )
        if found is None:
            raise _participant_not_found(participant_id)
        return found

    @patch("/{meeting_id:uuid}/participants/{participant_id:uuid}", summary="Edit a participant")
    async def update_participant(
        self,
        meeting_id: FromPath[UUID],
        participant_id: FromPath[UUID],
        data: JSONBody[ParticipantPatch],
        db: Db,
        user: CurrentUser,
    ) -> Participant:
        """A key left out stays; `email: null` clears it, and `null` for `name` or `is_organizer` is
        400. An e-mail another participant of the meeting has (in any case) is 409."""
        values, cleared = split(data)
        updated = await participants.update(
            db,
            participant_id=participant_id,
            meeting_id=meeting_id,
            user_id=user.id,
            cleared=cleared,
            **values,
        )
        if updated is None:
            raise _participant_not_found(participant_id)
        return updated

    @delete("/{meeting_id:uuid}/participants/{participant_id:uuid}", summary="Remove a participant")
    async def remove_participant(
        self,
        meeting_id: FromPath[UUID],
        participant_id: FromPath[UUID],
        db: Db,
        user: CurrentUser,
    ) -> None:
        """Removes the participant from the meeting; the meeting stays."""
        deleted = await participants.delete(
            db, participant_id=participant_id, meeting_id=meeting_id, user_id=user.id
        )
        if not deleted:
            raise _participant_not_found(participant_id)

    @put(
        "/{meeting_id:uuid}/synthesis",
        summary="Create (201) or replace (200) the meeting's synthesis; delivery starts over",
        responses={201: ResponseSpec(Synthesis, description="Created")},
    )
    async def put_synthesis(
        self, meeting_id: FromPath[UUID], data: JSONBody[SynthesisIn], db: Db, user: CurrentUser
    ) -> Response[Synthesis]:
        """Creates the meeting's synthesis (201) or replaces it whole (200): fields left out take
        their defaults, and delivery starts over as `pending` with no `email_sent_at` or
        `email_error`. `summary_word_count` is computed."""
        await _require_meeting(db, meeting_id, user.id)
        stored = await syntheses.upsert(
            db,
            user_id=user.id,
            meeting_id=meeting_id,
            fields=SynthesisFields(**msgspec.structs.asdict(data)),
        )
        assert stored is not None, "the meeting is the caller's"
        synthesis, new = stored
        return created(synthesis, f"/meetings/{meeting_id}/synthesis", new=new)

    @post(
        "/{meeting_id:uuid}/synthesis", summary="Create the meeting's synthesis (409 if it has one)"
    )
    async def create_synthesis(
        self, meeting_id: FromPath[UUID], data: JSONBody[SynthesisIn], db: Db, user: CurrentUser
    ) -> Response[Synthesis]:
        """Creates the meeting's synthesis, delivery `pending`; `summary_word_count` is computed. A
        meeting that has one already is 409 (PUT replaces it)."""
        await _require_meeting(db, meeting_id, user.id)
        synthesis = await syntheses.create(
            db,
            user_id=user.id,
            meeting_id=meeting_id,
            fields=SynthesisFields(**msgspec.structs.asdict(data)),
        )
        return created(synthesis, f"/meetings/{meeting_id}/synthesis")

    @patch(
        "/{meeting_id:uuid}/synthesis",
        summary="Change some fields; an email_sent_at marks it sent",
    )
    async def update_synthesis(
        self,
        meeting_id: FromPath[UUID],
        data: JSONBody[SynthesisPatch],
        db: Db,
        user: CurrentUser,
    ) -> Synthesis:
        """A key left out stays; `null` clears `llm_model`, `llm_tokens_used`,
        `processing_time_seconds`, `confidence_score`, `email_sent_at` or `email_error`, and is 400
        for the rest. Delivery: an `email_sent_at` means `sent` (`sent` alone keeps the stored time
        or stamps now), clearing it means `pending`, any status but `sent` clears it, and a
        contradicting pair is 400. `email_error` is kept only while delivery is `failed`."""
        values, cleared = split(data)
        status = values["email_delivery_status"]
        if values["email_sent_at"] is not None and status not in (None, "sent"):
            raise ValidationException("email_sent_at goes with email_delivery_status 'sent'")
        if "email_sent_at" in cleared and status == "sent":
            raise ValidationException("email_delivery_status 'sent' needs an email_sent_at")
        updated = await syntheses.update(
            db,
            meeting_id=meeting_id,
            user_id=user.id,
            changes=SynthesisChanges(**values),
            cleared=cleared,
        )
        if updated is None:
            raise NotFoundException(f"meeting {meeting_id} has no synthesis")
        return updated

    @get("/{meeting_id:uuid}/synthesis", summary="The meeting's synthesis")
    async def get_synthesis(
        self, meeting_id: FromPath[UUID], db: Db, user: CurrentUser
    ) -> Synthesis:
        """The meeting's synthesis; 404 when the meeting has none or is not the caller's."""
        found = await syntheses.get_by_meeting_id(db, meeting_id=meeting_id, user_id=user.id)
        if found is None:
            raise NotFoundException(f"meeting {meeting_id} has no synthesis")
        return found

    @delete("/{meeting_id:uuid}/synthesis", summary="Delete the meeting's synthesis")
    async def remove_synthesis(self, meeting_id: FromPath[UUID], db: Db, user: CurrentUser) -> None:
        """Deletes the meeting's synthesis; the meeting stays. 404 when it has none."""
        if not await syntheses.delete(db, meeting_id=meeting_id, user_id=user.id):
            raise NotFoundException(f"meeting {meeting_id} has no synthesis")

    @post(
        "/{meeting_id:uuid}/synthesis/email",
        status_code=HTTP_200_OK,
        summary="Record the e-mail delivery of the synthesis: sent (now) or failed",
    )
    async def email_delivery(
        self,
        meeting_id: FromPath[UUID],
        data: JSONBody[EmailDeliveryIn],
        db: Db,
        user: CurrentUser,
    ) -> Synthesis:
        """For the mailer: `sent` stamps `email_sent_at` now, clears `email_error` and replaces
        `email_recipients` when they are given; `failed` clears `email_sent_at` and stores
        `email_error` ("delivery failed" if none is given), ignoring `email_recipients`.
        `email_error` with `sent` is 400."""
        if data.email_delivery_status == "sent" and data.email_error is not None:
            raise ValidationException("email_error goes with email_delivery_status 'failed'")
        if data.email_delivery_status == "sent":
            updated = await syntheses.mark_email_sent(
                db, meeting_id=meeting_id, user_id=user.id, recipients=data.email_recipients
            )
        else:
            updated = await syntheses.mark_email_failed(
                db,
                meeting_id=meeting_id,
                user_id=user.id,
                error=data.email_error or "delivery failed",
            )
        if updated is None:
            raise NotFoundException(f"meeting {meeting_id} has no synthesis")
        return updated


class SynthesisController(Controller):
    path = "/syntheses"
    tags = ["meetings"]

    @get("/", summary="The caller's syntheses; ?q= searches summaries; ?has= narrows")
    async def list_all(
        self,
        db: Db,
        user: CurrentUser,
        page: Paging,
        q: Annotated[
            str | None, QueryParameter(min_length=1, max_length=500, pattern=NON_BLANK_PATTERN)
        ] = None,
        has: Annotated[
            Literal["decisions", "action_items"] | None,
            QueryParameter(description="only those with key decisions or action items"),
        ] = None,
    ) -> Response[Sequence[Synthesis]]:
        """Newest first; `has=decisions` or `has=action_items` keeps those with at least one. Pages
        by `limit` and `offset`, or `after` (the cursor in `Link: rel="next"`). `q` instead
        searches summaries full-text, best match first, and pages by offset only: with `has` or
        `after` it is 400. `X-Total-Count` is exact up to 10,000 (see `X-Total-Count-Exact`)."""
        if q is not None and has is not None:
            raise ValidationException("q and has cannot be combined")
        if q is not None:
            if page.after_token is not None:
                raise ValidationException("a summary search pages by offset, not after")
            matches = await syntheses.search_summary(
                db, user_id=user.id, query=q, limit=page.fetch, offset=page.offset
            )
            return page.respond(matches)
        found = await syntheses.list_by_user(
            db,
            user_id=user.id,
            has=has,
            after=page.after(SYNTHESES),
            limit=page.fetch,
            offset=page.offset,
        )
        return page.respond(found, SYNTHESES, lambda s: (s.created_at, s.id))

    @get("/pending-email", summary="Syntheses not e-mailed yet, oldest first")
    async def pending_email(
        self, db: Db, user: CurrentUser, page: Paging
    ) -> Response[Sequence[Synthesis]]:
        """The e-mail queue: the caller's syntheses without `email_sent_at` (delivery `pending` or
        `failed`), oldest first. Pages by `limit` and `offset`, or `after` (the cursor in `Link:
        rel="next"`); `X-Total-Count` is exact up to 10,000 (see `X-Total-Count-Exact`)."""
        found = await syntheses.list_pending_email(
            db,
            user_id=user.id,
            after=page.after(PENDING_EMAIL),
            limit=page.fetch,
            offset=page.offset,
        )
        return page.respond(found, PENDING_EMAIL, lambda s: (s.created_at, s.id))
