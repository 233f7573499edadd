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
RETURNING *;
