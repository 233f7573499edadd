-- name: delete :found
-- params: session_id, user_id
-- Its jobs go with it (ON DELETE CASCADE).
DELETE FROM processing_sessions
WHERE id = $1 AND user_id = $2
RETURNING true AS deleted;
