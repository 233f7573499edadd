SELECT id, user_id, name, status, configuration, total_items, completed_items, failed_items, started_at, finished_at, created_at, updated_at
FROM processing_sessions
WHERE user_id = $1 AND ($2::text IS NULL OR status = $2)
ORDER BY created_at DESC, id
LIMIT $3 OFFSET $4;
