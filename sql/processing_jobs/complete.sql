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
RETURNING id, user_id, session_id, job_type, entity_type, entity_id, status, priority, attempts, max_attempts, run_after, payload, result, error_message, idempotency_key, locked_by, locked_at, started_at, finished_at, created_at, updated_at;
