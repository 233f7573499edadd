-- name: get_by_id :opt
-- params: session_id, user_id
SELECT id, user_id, name, status, configuration, total_items, completed_items, failed_items, started_at, finished_at, created_at, updated_at
FROM processing_sessions
WHERE id = $1 AND user_id = $2;
