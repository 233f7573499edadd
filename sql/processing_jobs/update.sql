-- name: update :opt
-- params: job_id, user_id, priority?, max_attempts?, run_after?, payload?
-- struct: Job
-- A PATCH of a queued job: NULL leaves a column as it is. No row when the job is
-- not the user's or no longer queued (the caller tells 404 from 409).
UPDATE processing_jobs
SET priority     = coalesce($3, priority),
    max_attempts = coalesce($4, max_attempts),
    run_after    = coalesce($5, run_after),
    payload      = coalesce($6, payload)
WHERE id = $1 AND user_id = $2 AND status = 'queued'
RETURNING id, user_id, session_id, job_type, entity_type, entity_id, status, priority, attempts, max_attempts, run_after, payload, result, error_message, idempotency_key, locked_by, locked_at, started_at, finished_at, created_at, updated_at;
