-- name: exists :scalar
-- params: session_id, user_id
-- not null: exists
SELECT EXISTS (SELECT 1 FROM processing_sessions WHERE id = $1 AND user_id = $2);
