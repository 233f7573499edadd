"""Login sessions. get_by_token finds only live sessions; get_user_by_token, the
active user a live session belongs to; delete_expired purges and says how many went."""

from uuid import UUID

from service.db import Executor
from service.queries.generated import sessions as generated
from service.queries.generated.sessions import Session as Session

create = generated.create
get_by_token = generated.get_by_token
get_user_by_token = generated.get_user_by_token
list_by_user = generated.list_by_user
count_by_user = generated.count_by_user
delete_expired = generated.delete_expired


async def delete(db: Executor, *, session_id: UUID, user_id: UUID) -> bool:
    return await generated.delete(db, session_id=session_id, user_id=user_id) is not None


async def delete_by_token(db: Executor, *, token_hash: str) -> bool:
    return await generated.delete_by_token(db, token_hash=token_hash) is not None
