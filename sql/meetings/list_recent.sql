-- name: list_recent :many
-- params: user_id, limit
SELECT *
FROM meetings
WHERE user_id = $1
ORDER BY created_at DESC, id
LIMIT $2;
