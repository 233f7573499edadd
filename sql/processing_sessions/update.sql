-- name: update :opt
-- params: session_id, user_id, name?, status?, configuration?
-- NULL leaves a column as it is; reaching running or a final status stamps the time.
UPDATE processing_sessions
SET name          = coalesce($3, name),
    configuration = coalesce($5, configuration),
    status        = coalesce($4, status),
    started_at    = CASE WHEN $4 = 'running' THEN coalesce(started_at, now()) ELSE started_at END,
    finished_at   = CASE WHEN $4 IN ('completed', 'failed', 'cancelled') THEN now()
                         WHEN $4 IS NULL THEN finished_at END
WHERE id = $1 AND user_id = $2
RETURNING *;
