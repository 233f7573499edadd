from datetime import datetime
from uuid import UUID

from service.db import TOTAL_CAP, Executor, Listing
from service.queries.generated import conversations as generated
from service.queries.generated.conversations import Conversation as Conversation

create = generated.create
get_by_id = generated.get_by_id
count_by_user = generated.count_by_user
exists = generated.exists
update = generated.update


async def list_by_user(
    db: Executor,
    *,
    user_id: UUID,
    after: tuple[datetime, UUID] | None = None,
    limit: int,
    offset: int = 0,
) -> Listing[Conversation]:
    """Most recently active first; `after` is the (updated_at, id) of the previous
    page's last row."""
    updated_at, conversation_id = after or (None, None)
    total, items = await generated.list_by_user(
        db, user_id=user_id, cap=TOTAL_CAP, after_updated_at=updated_at,
        after_id=conversation_id, limit=limit, offset=offset,
    )  # fmt: skip
    return Listing.capped(items, total, TOTAL_CAP)


# Deletes the conversation and, by cascade, its messages.
delete = generated.delete
