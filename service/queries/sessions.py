"""Login sessions. get_by_token finds only live sessions; get_user_by_token, the
active user a live session belongs to; delete_expired purges and says how many went."""

from service.queries.generated import sessions as generated
from service.queries.generated.sessions import Session as Session

create = generated.create
get_by_token = generated.get_by_token
get_user_by_token = generated.get_user_by_token
list_by_user = generated.list_by_user
count_by_user = generated.count_by_user
delete_expired = generated.delete_expired


delete = generated.delete


delete_by_token = generated.delete_by_token
