-- name: get_by_token :opt
-- params: token_hash
-- struct: Session
SELECT id, user_id, expires_at, created_at
FROM sessions
WHERE token_hash = $1 AND expires_at > now();
