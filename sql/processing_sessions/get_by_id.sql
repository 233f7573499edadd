-- name: get_by_id :opt
-- params: session_id, user_id
SELECT *
FROM processing_sessions
WHERE id = $1 AND user_id = $2;
