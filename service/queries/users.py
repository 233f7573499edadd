"""Users. `User` is what the API shows of one (never the password hash);
`LoginAttempt` is what a login needs: the account a login names (None fields when
it names none) and how it and the client address are throttled."""

from uuid import UUID

from service.db import Executor
from service.queries.generated import users as generated
from service.queries.generated.users import LoginAttempt as LoginAttempt
from service.queries.generated.users import User as User

create = generated.create
get_by_id = generated.get_by_id
get_by_email = generated.get_by_email
get_by_username = generated.get_by_username
get_credentials = generated.get_credentials
list_all = generated.list_all
count = generated.count
exists = generated.exists
update = generated.update
set_admin = generated.set_admin


async def delete(db: Executor, *, user_id: UUID) -> bool:
    return await generated.delete(db, user_id=user_id) is not None
