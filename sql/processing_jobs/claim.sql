-- name: claim :many
-- params: user_id|null, job_types|null, limit, worker
-- returns: processing_jobs
-- struct: Job
-- Take up to $3 ready jobs, highest priority first, then oldest. SKIP LOCKED lets
-- concurrent workers pass over each other's rows instead of waiting or doubling up.
-- $1 NULL claims for every user (the built-in worker); $2 NULL takes any job type.
WITH next AS (
    SELECT id
    FROM processing_jobs
    WHERE status = 'queued'
      AND run_after <= now()
      AND ($1::uuid IS NULL OR user_id = $1)
      AND ($2::text[] IS NULL OR job_type = ANY($2))
    ORDER BY priority DESC, run_after, created_at
    LIMIT $3
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE processing_jobs j
    SET status     = 'running',
        attempts   = j.attempts + 1,
        locked_by  = $4,
        locked_at  = now(),
        started_at = coalesce(j.started_at, now())
    FROM next
    WHERE j.id = next.id
    RETURNING j.*
)
SELECT *
FROM claimed
ORDER BY priority DESC, run_after, created_at;
