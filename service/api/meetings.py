"""Recorded meetings, their participants and their AI synthesis."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post, put
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service.api.deps import MAX_PAGE, CurrentUser, Db, Paging
from service.api.pages import Cursor
from service.fields import (
    Email,
    LongText,
    Name,
    NonNegativeInt,
    ShortText,
    Timestamp,
    check_finite_times,
)
from service.queries import meetings, participants, syntheses
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

Platform = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
Provider = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
Transcript = Annotated[str, msgspec.Meta(max_length=10_000_000)]
JsonList = Annotated[list[Any], msgspec.Meta(max_length=1000)]


class MeetingPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Word count and duration are computed, so they are not accepted."""

    title: Name | None = None
    description: LongText | None = None
    status: MeetingStatus | None = None
    scheduled_at: Timestamp | None = None
    started_at: Timestamp | None = None
    ended_at: Timestamp | None = None
    platform: Platform | None = None
    platform_meeting_id: ShortText | None = None
    meeting_url: Annotated[str, msgspec.Meta(max_length=512)] | None = None
    transcript: Transcript | None = None
    transcription_provider: Provider | None = None
    synthesis_provider: Provider | None = None
    processing_time_seconds: NonNegativeInt | None = None
    error_message: LongText | None = None

    def __post_init__(self) -> None:
        check_finite_times(self)

    def fields(self) -> MeetingFields:
        return MeetingFields(**msgspec.structs.asdict(self))


class ParticipantIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    email: Email | None = None
    is_organizer: bool = False


class ParticipantPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    email: Email | None = None
    is_organizer: bool | None = None


class MeetingIn(MeetingPatch, kw_only=True):
    title: Name
    # A meeting starts its lifecycle at the start: PATCH moves it on from there.
    status: Literal["pending"] | None = None
    participants: Annotated[list[ParticipantIn], msgspec.Meta(max_length=1000)] = []

    def fields(self) -> MeetingFields:
        values = msgspec.structs.asdict(self)
        del values["participants"]
        return MeetingFields(**values)


# Full-text indexed, like chunk text: a tsvector holds at most 1 MB.
Summary = Annotated[str, msgspec.Meta(min_length=1, max_length=500_000, pattern=r"\S")]


class SynthesisIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    summary: Summary
    key_decisions: JsonList = []
    action_items: JsonList = []
    open_questions: JsonList = []
    key_topics: JsonList = []
    llm_model: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    llm_tokens_used: NonNegativeInt | None = None
    processing_time_seconds: Annotated[float, msgspec.Meta(ge=0)] | None = None
    confidence_score: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None
    email_recipients: Annotated[list[Email], msgspec.Meta(max_length=500)] = []


class SynthesisPatch(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    summary: Summary | None = None
    key_decisions: JsonList | None = None
    action_items: JsonList | None = None
    open_questions: JsonList | None = None
    key_topics: JsonList | None = None
    llm_model: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    llm_tokens_used: NonNegativeInt | None = None
    processing_time_seconds: Annotated[float, msgspec.Meta(ge=0)] | None = None
    confidence_score: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None
    email_recipients: Annotated[list[Email], msgspec.Meta(max_length=500)] | None = None
    email_sent_at: Timestamp | None = None
    email_delivery_status: Literal["pending", "sent", "failed"] | None = None
    email_error: LongText | None = None

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


class MeetingController(Controller):
    path = "/meetings"
    tags = ["meetings"]

    @post("/", summary="Record a meeting, optionally with its participants")
    async def create_one(
        self, data: JSONBody[MeetingIn], db: Db, user: CurrentUser
    ) -> MeetingWithParticipants:
        meeting = await meetings.create(db, user_id=user.id, title=data.title, fields=data.fields())
        for person in data.participants:
            await participants.create(
                db,
                user_id=user.id,
                meeting_id=meeting.id,
                name=person.name,
                email=person.email,
                is_organizer=person.is_organizer,
            )
        return await _with_participants(db, meeting.id, user.id)

    @get("/", summary="The caller's meetings, newest first; ?q= searches titles, best first")
    async def list_all(
        self,
        db: Db,
        user: CurrentUser,
        page: Paging,
        status: Annotated[MeetingStatus | None, QueryParameter()] = None,
        platform: Annotated[str | None, QueryParameter(max_length=50)] = None,
        q: Annotated[
            str | None, QueryParameter(min_length=1, max_length=500, pattern=r"\S")
        ] = None,
    ) -> Response[Sequence[Meeting]]:
        if q is not None:
            if status is not None or platform is not None:
                raise ValidationException("q searches all meetings: drop status and platform")
            if page.after_token is not None:
                raise ValidationException("a title search pages by offset, not after")
            matches = await meetings.search_by_title(
                db, user_id=user.id, query=q, limit=page.fetch, offset=page.offset
            )
            return page.respond(matches)
        found = await meetings.get_all(
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
        return await meetings.get_recent(db, user_id=user.id, limit=limit)

    @get("/by-platform-id/{platform_meeting_id:str}", summary="Find by the platform's meeting id")
    async def by_platform_id(
        self,
        platform_meeting_id: Annotated[str, PathParameter(max_length=255)],
        db: Db,
        user: CurrentUser,
        platform: Annotated[str | None, QueryParameter(max_length=50)] = None,
    ) -> Meeting:
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
        return await _with_participants(db, meeting_id, user.id)

    @patch("/{meeting_id:uuid}", summary="Edit a meeting or move its status (409 if invalid)")
    async def update_one(
        self, meeting_id: FromPath[UUID], data: JSONBody[MeetingPatch], db: Db, user: CurrentUser
    ) -> Meeting:
        updated = await meetings.update(
            db, meeting_id=meeting_id, user_id=user.id, fields=data.fields()
        )
        if updated is None:
            raise _meeting_not_found(meeting_id)
        return updated

    @delete("/{meeting_id:uuid}", summary="Delete a meeting, its participants and synthesis")
    async def remove(self, meeting_id: FromPath[UUID], db: Db, user: CurrentUser) -> None:
        if not await meetings.delete(db, meeting_id=meeting_id, user_id=user.id):
            raise _meeting_not_found(meeting_id)

    @post("/{meeting_id:uuid}/participants")
    async def add_participant(
        self, meeting_id: FromPath[UUID], data: JSONBody[ParticipantIn], db: Db, user: CurrentUser
    ) -> Participant:
        await _require_meeting(db, meeting_id, user.id)
        return await participants.create(
            db,
            user_id=user.id,
            meeting_id=meeting_id,
            name=data.name,
            email=data.email,
            is_organizer=data.is_organizer,
        )

    @get("/{meeting_id:uuid}/participants")
    async def list_participants(
        self, meeting_id: FromPath[UUID], db: Db, user: CurrentUser, page: Paging
    ) -> Response[Sequence[Participant]]:
        found = await participants.list_by_meeting(
            db, meeting_id=meeting_id, user_id=user.id, limit=page.fetch, offset=page.offset
        )
        if found is None:
            raise _meeting_not_found(meeting_id)
        return page.respond(found)

    @get("/{meeting_id:uuid}/participants/{participant_id:uuid}")
    async def get_participant(
        self,
        meeting_id: FromPath[UUID],
        participant_id: FromPath[UUID],
        db: Db,
        user: CurrentUser,
    ) -> Participant:
        found = await participants.get_by_id(
            db, participant_id=participant_id, meeting_id=meeting_id, user_id=user.id
        )
        if found is None:
            raise _participant_not_found(participant_id)
        return found

    @patch("/{meeting_id:uuid}/participants/{participant_id:uuid}")
    async def update_participant(
        self,
        meeting_id: FromPath[UUID],
        participant_id: FromPath[UUID],
        data: JSONBody[ParticipantPatch],
        db: Db,
        user: CurrentUser,
    ) -> Participant:
        updated = await participants.update(
            db,
            participant_id=participant_id,
            meeting_id=meeting_id,
            user_id=user.id,
            name=data.name,
            email=data.email,
            is_organizer=data.is_organizer,
        )
        if updated is None:
            raise _participant_not_found(participant_id)
        return updated

    @delete("/{meeting_id:uuid}/participants/{participant_id:uuid}")
    async def remove_participant(
        self,
        meeting_id: FromPath[UUID],
        participant_id: FromPath[UUID],
        db: Db,
        user: CurrentUser,
    ) -> None:
        deleted = await participants.delete(
            db, participant_id=participant_id, meeting_id=meeting_id, user_id=user.id
        )
        if not deleted:
            raise _participant_not_found(participant_id)

    @put(
        "/{meeting_id:uuid}/synthesis",
        summary="Create (201) or replace (200) the meeting's synthesis; delivery starts over",
    )
    async def put_synthesis(
        self, meeting_id: FromPath[UUID], data: JSONBody[SynthesisIn], db: Db, user: CurrentUser
    ) -> Response[Synthesis]:
        await _require_meeting(db, meeting_id, user.id)
        stored = await syntheses.upsert(
            db,
            user_id=user.id,
            meeting_id=meeting_id,
            fields=SynthesisFields(**msgspec.structs.asdict(data)),
        )
        assert stored is not None, "the meeting is the caller's"
        synthesis, created = stored
        return Response(synthesis, status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @post(
        "/{meeting_id:uuid}/synthesis", summary="Create the meeting's synthesis (409 if it has one)"
    )
    async def create_synthesis(
        self, meeting_id: FromPath[UUID], data: JSONBody[SynthesisIn], db: Db, user: CurrentUser
    ) -> Synthesis:
        await _require_meeting(db, meeting_id, user.id)
        return await syntheses.create(
            db,
            user_id=user.id,
            meeting_id=meeting_id,
            fields=SynthesisFields(**msgspec.structs.asdict(data)),
        )

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
        if data.email_sent_at is not None and data.email_delivery_status not in (None, "sent"):
            raise ValidationException("email_sent_at goes with email_delivery_status 'sent'")
        updated = await syntheses.update(
            db,
            meeting_id=meeting_id,
            user_id=user.id,
            changes=SynthesisChanges(**msgspec.structs.asdict(data)),
        )
        if updated is None:
            raise NotFoundException(f"meeting {meeting_id} has no synthesis")
        return updated

    @get("/{meeting_id:uuid}/synthesis")
    async def get_synthesis(
        self, meeting_id: FromPath[UUID], db: Db, user: CurrentUser
    ) -> Synthesis:
        found = await syntheses.get_by_meeting_id(db, meeting_id=meeting_id, user_id=user.id)
        if found is None:
            raise NotFoundException(f"meeting {meeting_id} has no synthesis")
        return found

    @delete("/{meeting_id:uuid}/synthesis")
    async def remove_synthesis(self, meeting_id: FromPath[UUID], db: Db, user: CurrentUser) -> None:
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
            str | None, QueryParameter(min_length=1, max_length=500, pattern=r"\S")
        ] = None,
        has: Annotated[
            Literal["decisions", "action_items"] | None,
            QueryParameter(description="only those with key decisions or action items"),
        ] = None,
    ) -> Response[Sequence[Synthesis]]:
        if q is not None and has is not None:
            raise ValidationException("q and has cannot be combined")
        if q is not None:
            if page.after_token is not None:
                raise ValidationException("a summary search pages by offset, not after")
            matches = await syntheses.search_summary(
                db, user_id=user.id, query=q, limit=page.fetch, offset=page.offset
            )
            return page.respond(matches)
        found = await syntheses.get_all(
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
        found = await syntheses.get_pending_email(
            db,
            user_id=user.id,
            after=page.after(PENDING_EMAIL),
            limit=page.fetch,
            offset=page.offset,
        )
        return page.respond(found, PENDING_EMAIL, lambda s: (s.created_at, s.id))
