-- name: list_by_status :many
-- params: user_id, status, limit, offset
SELECT *
FROM meetings
WHERE user_id = $1 AND status = $2
ORDER BY created_at DESC, id
LIMIT $3 OFFSET $4;
