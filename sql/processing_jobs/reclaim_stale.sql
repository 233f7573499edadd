-- name: reclaim_stale :many
-- params: stale_after_seconds, user_id|null
-- struct: Job
-- Jobs whose worker vanished (running, locked longer than $1 seconds) go back to the
-- queue, or fail for good if that was their last attempt. $2 NULL: every user's.
UPDATE processing_jobs
SET status        = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
    finished_at   = CASE WHEN attempts >= max_attempts THEN now() END,
    error_message = format('worker %s stopped answering', coalesce(locked_by, 'unknown')),
    run_after     = now(),
    locked_by     = NULL,
    locked_at     = NULL
WHERE status = 'running'
  AND locked_at < now() - make_interval(secs => $1::float8)
  AND ($2::uuid IS NULL OR user_id = $2)
RETURNING *;
