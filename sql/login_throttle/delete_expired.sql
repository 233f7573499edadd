-- name: delete_expired :scalar
-- params: window_seconds
-- not null: count
-- Throttling rows whose last failure is older than the window: nothing to remember.
WITH deleted AS (
    DELETE FROM login_throttle
    WHERE last_failure_at < now() - $1 * interval '1 second'
      AND (locked_until IS NULL OR locked_until < now())
    RETURNING 1
)
SELECT count(*) FROM deleted;
