-- name: record_success :found
-- params: user_id
-- A successful login forgets the account's failures (not the address's).
UPDATE users
   SET failed_login_count = 0, last_failed_login_at = NULL, login_locked_until = NULL
 WHERE id = $1 AND (failed_login_count > 0 OR login_locked_until IS NOT NULL)
RETURNING true AS forgotten;
