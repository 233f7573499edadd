-- name: list_by_user :many
-- params: user_id, limit, offset
-- struct: Session
SELECT id, user_id, expires_at, created_at
FROM sessions
WHERE user_id = $1 AND expires_at > now()
ORDER BY created_at DESC, id
LIMIT $2 OFFSET $3;
