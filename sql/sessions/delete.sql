-- name: delete :found
-- params: session_id, user_id
DELETE FROM sessions
WHERE id = $1 AND user_id = $2
RETURNING true AS deleted;
