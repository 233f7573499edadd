-- Undo 0015.filtered_claims exactly: 0014's claim_jobs(), without the user's branch.
CREATE OR REPLACE FUNCTION claim_jobs(for_user uuid, job_types text[], how_many integer, worker text)
RETURNS SETOF processing_jobs
LANGUAGE plpgsql
SET enable_bitmapscan = off
SET enable_sort = off
AS $$
BEGIN
    RETURN QUERY
    WITH next AS (
        SELECT id
        FROM processing_jobs
        WHERE status = 'queued'
          AND run_after <= now()
          AND (for_user IS NULL OR user_id = for_user)
          AND (claim_jobs.job_types IS NULL OR job_type = ANY (claim_jobs.job_types))
        ORDER BY priority DESC, run_after, created_at
        LIMIT how_many
        FOR UPDATE SKIP LOCKED
    )
    UPDATE processing_jobs j
    SET status     = 'running',
        attempts   = j.attempts + 1,
        locked_by  = worker,
        locked_at  = now(),
        started_at = coalesce(j.started_at, now())
    FROM next
    WHERE j.id = next.id
    RETURNING j.*;
END $$;
ALTER TABLE processing_jobs ALTER COLUMN job_type RESET (n_distinct);
DROP INDEX idx_processing_jobs_claim_by_type;
DROP INDEX idx_processing_jobs_claim_by_user;
