-- name: fail :opt
-- params: job_id, user_id, error_message, base_seconds, max_seconds, retry, worker|null
-- struct: Job
-- Back to the queue after an exponential back-off ($4 seconds, doubling with each
-- attempt, at most $5), or failed for good once max_attempts is spent or when the
-- caller says retrying is pointless ($6 false).
UPDATE processing_jobs
SET status        = CASE WHEN attempts >= max_attempts OR NOT $6 THEN 'failed' ELSE 'queued' END,
    run_after     = CASE WHEN attempts >= max_attempts OR NOT $6 THEN run_after
                         ELSE now() + make_interval(
                             secs => least($5::float8, $4::float8 * power(2, attempts - 1)))
                    END,
    finished_at   = CASE WHEN attempts >= max_attempts OR NOT $6 THEN now() END,
    error_message = $3,
    locked_by     = NULL,
    locked_at     = NULL
WHERE id = $1 AND user_id = $2 AND status = 'running'
  -- a named worker may only settle a job it still holds (not one reclaimed from it)
  AND ($7::text IS NULL OR locked_by = $7)
RETURNING *;
