-- depends: 0014.job_queue
-- Claims filtered by user or by job type read only the matching part of the queue.
-- Walking idx_processing_jobs_claim and filtering read every queued job ahead of the
-- first match: behind 300,000 queued jobs of another user and type, a user's claim
-- (POST /jobs/claim) took 49 ms and the built-in worker's claim for its three types
-- 52-85 ms; through these indexes, 1.2-2.8 ms with the job's completion (measured on
-- the embedded server).
CREATE INDEX idx_processing_jobs_claim_by_user
    ON processing_jobs (user_id, priority DESC, run_after, created_at)
    WHERE status = 'queued';
CREATE INDEX idx_processing_jobs_claim_by_type
    ON processing_jobs (job_type, priority DESC, run_after, created_at)
    WHERE status = 'queued';

-- A claim's plan is generic (cached in claim_jobs()), so the planner prices
-- `job_type = <a type>` at 1/n_distinct of the table. The queue is often one type's
-- backlog, and with n_distinct 1 a type's index looked no better than walking the
-- whole queue. Assume any one type is a small share; the next ANALYZE (autovacuum's)
-- takes it up. (Not an ANALYZE here: statistics of an empty queue, taken now, slowed
-- the queue benchmark's burst by a quarter.)
ALTER TABLE processing_jobs ALTER COLUMN job_type SET (n_distinct = 100);

-- As in 0014, with a branch of its own for a user's claim and for a claim of given
-- job types (each RETURN QUERY has a plan of its own). The settings still pin the
-- plans: no bitmap scan, and no sort but the merge of the types' few candidates.
CREATE OR REPLACE FUNCTION claim_jobs(for_user uuid, job_types text[], how_many integer, worker text)
RETURNS SETOF processing_jobs
LANGUAGE plpgsql
SET enable_bitmapscan = off
SET enable_sort = off
AS $$
BEGIN
    IF for_user IS NOT NULL THEN
        RETURN QUERY
        WITH next AS (
            SELECT id
            FROM processing_jobs
            WHERE status = 'queued'
              AND user_id = for_user
              AND run_after <= now()
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
    ELSIF job_types IS NOT NULL THEN
        -- Each type's first how_many in claim order, locked; then the first how_many
        -- of those. The rows locked and not taken are free again at commit.
        RETURN QUERY
        WITH candidates AS (
            SELECT q.id, q.priority, q.run_after, q.created_at
            FROM (SELECT DISTINCT unnest(claim_jobs.job_types)) AS t(job_type)
            CROSS JOIN LATERAL (
                SELECT p.id, p.priority, p.run_after, p.created_at
                FROM processing_jobs p
                WHERE p.status = 'queued'
                  AND p.job_type = t.job_type
                  AND p.run_after <= now()
                ORDER BY p.priority DESC, p.run_after, p.created_at
                LIMIT how_many
                FOR UPDATE SKIP LOCKED
            ) q
        ), next AS (
            SELECT id
            FROM candidates
            ORDER BY priority DESC, run_after, created_at
            LIMIT how_many
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
    ELSE
        RETURN QUERY
        WITH next AS (
            SELECT id
            FROM processing_jobs
            WHERE status = 'queued'
              AND run_after <= now()
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
    END IF;
END $$;
