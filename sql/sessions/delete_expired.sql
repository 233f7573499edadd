-- name: delete_expired :scalar
-- not null: count
WITH purged AS (
    DELETE FROM sessions WHERE expires_at <= now() RETURNING 1
)
SELECT count(*) FROM purged;
