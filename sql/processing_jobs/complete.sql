-- name: complete :opt
-- params: job_id, user_id, result|null, worker|null
-- struct: Job
UPDATE processing_jobs
SET status        = 'completed',
    result        = $3,
    error_message = NULL,
    finished_at   = now(),
    locked_by     = NULL,
    locked_at     = NULL
WHERE id = $1 AND user_id = $2 AND status = 'running'
  -- a named worker may only settle a job it still holds (not one reclaimed from it)
  AND ($4::text IS NULL OR locked_by = $4)
RETURNING *;
