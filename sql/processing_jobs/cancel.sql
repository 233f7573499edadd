-- name: cancel :opt
-- params: job_id, user_id
-- struct: Job
UPDATE processing_jobs
SET status      = 'cancelled',
    finished_at = now(),
    locked_by   = NULL,
    locked_at   = NULL
WHERE id = $1 AND user_id = $2 AND status IN ('queued', 'running')
RETURNING *;
