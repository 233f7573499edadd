-- name: get_credentials :one
-- params: login, address, address_failures, window_seconds
-- not null: wait_seconds, failed_lately, address_spraying
-- nullable: id, password_hash, is_active
-- struct: LoginAttempt
-- What a login attempt needs, in one statement: the account the login names (a
-- username or an e-mail, whatever their case) with its password hash, how many
-- seconds logins to it must still wait (an unknown login name is throttled under
-- its own key, exactly like an account), and whether the client address $2 is
-- spraying (at least $3 failures in the last $4 seconds). With no such account the
-- id and hash are NULL.
SELECT u.id, u.password_hash, u.is_active,
       ceil(greatest(extract(epoch FROM
           coalesce(u.login_locked_until, unknown.locked_until) - now()), 0))::integer
           AS wait_seconds,
       coalesce(u.failed_login_count > 0 AND u.last_failed_login_at > now() - $4 * interval '1 second',
                unknown.last_failure_at > now() - $4 * interval '1 second', false)
           AS failed_lately,
       coalesce(address.failures >= $3 AND address.last_failure_at > now() - $4 * interval '1 second',
                false) AS address_spraying
FROM (SELECT lower($1) AS login) given
LEFT JOIN users u ON lower(u.username) = given.login OR lower(u.email) = given.login
LEFT JOIN login_throttle unknown ON u.id IS NULL AND unknown.key = 'login:' || given.login
LEFT JOIN login_throttle address ON address.key = 'address:' || $2;
