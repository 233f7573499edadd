-- name: create :one
-- params: user_id, token_hash, ttl_seconds
-- struct: Session
-- Expiry comes from the database clock, like every check against it.
INSERT INTO sessions (user_id, token_hash, expires_at)
VALUES ($1, $2, now() + make_interval(secs => $3))
RETURNING id, user_id, expires_at, created_at;
