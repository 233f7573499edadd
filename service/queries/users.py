"""Users. `User` is what the API shows of one (never the password hash);
`LoginAttempt` is what a login needs: the account a login names (None fields when
it names none) and how it and the client address are throttled."""

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


delete = generated.delete
