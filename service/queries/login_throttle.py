"""Failed logins, counted in PostgreSQL. record_failure counts a failed login on the
account (or, with no account, on the login name) and on the address, and returns the
seconds the account must now wait."""

from service.queries.generated import login_throttle as generated

record_failure = generated.record_failure
delete_expired = generated.delete_expired


# Forgets the account's failures; whether there were any.
record_success = generated.record_success
