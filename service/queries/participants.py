from collections.abc import Sequence
from uuid import UUID

from service.db import Executor, Listing
from service.queries.generated import participants as generated
from service.queries.generated.participants import Participant as Participant

get_by_id = generated.get_by_id
count_by_meeting = generated.count_by_meeting


async def create(
    db: Executor,
    *,
    user_id: UUID,
    meeting_id: UUID,
    name: str,
    email: str | None = None,
    is_organizer: bool = False,
) -> Participant:
    """Another user's meeting raises asyncpg.ForeignKeyViolationError."""
    return await generated.create(
        db, user_id=user_id, meeting_id=meeting_id, name=name, email=email,
        is_organizer=is_organizer,
    )  # fmt: skip


async def list_by_meeting(
    db: Executor, *, meeting_id: UUID, user_id: UUID, limit: int = 500, offset: int = 0
) -> Listing[Participant] | None:
    """In the order they were added; None when the meeting is not the user's."""
    page = await generated.list_by_meeting(
        db, meeting_id=meeting_id, user_id=user_id, limit=limit, offset=offset
    )
    return None if page is None else Listing(page[1], page[0])


async def update(
    db: Executor,
    *,
    participant_id: UUID,
    meeting_id: UUID,
    user_id: UUID,
    name: str | None = None,
    email: str | None = None,
    is_organizer: bool | None = None,
    cleared: Sequence[str] = (),
) -> Participant | None:
    """None leaves a field as it is; the columns named in `cleared` become NULL."""
    return await generated.update(
        db, participant_id=participant_id, meeting_id=meeting_id, user_id=user_id, name=name,
        email=email, is_organizer=is_organizer, cleared=list(cleared),
    )  # fmt: skip


delete = generated.delete
