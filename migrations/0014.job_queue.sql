-- depends: 0013.semantic_retrieval
-- The job queue at speed: woken workers, and a claim whose plan holds.
-- Idle workers LISTEN on tubebase_jobs and claim as soon as a job becomes ready,
-- instead of waiting out their poll. A job queued to run later still waits for a
-- poll (the notification wakes workers that find nothing due yet).
-- pg_notify folds repeats within a transaction into one, so a bulk enqueue
-- notifies once; the payload is empty because workers claim by query anyway.
CREATE FUNCTION processing_jobs_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tubebase_jobs', '');
    RETURN NULL;
END $$;

-- Once per INSERT statement: a bulk enqueue does not call it per row.
CREATE TRIGGER processing_jobs_notify_enqueued
    AFTER INSERT ON processing_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION processing_jobs_notify();

-- A job put back in the queue (a retry, a reclaim): the WHEN clause keeps claim and
-- complete, which never set 'queued', from calling the function at all.
CREATE TRIGGER processing_jobs_notify_requeued
    AFTER UPDATE OF status ON processing_jobs
    FOR EACH ROW WHEN (NEW.status = 'queued' AND OLD.status IS DISTINCT FROM 'queued')
    EXECUTE FUNCTION processing_jobs_notify();

-- Claiming, with its plan pinned. A queue's size swings faster than autovacuum
-- re-analyzes it: right after a burst the statistics still say the table is empty,
-- and the planner sorts every queued job (a bitmap scan, then a sort) to take the
-- first few, on every claim: 20,000 jobs ran at half speed. Without bitmap scans and
-- sorts the plan walks idx_processing_jobs_claim in order and stops after `how_many`.
-- $1 NULL claims for every user (the built-in worker); $2 NULL takes any job type.
CREATE FUNCTION claim_jobs(for_user uuid, job_types text[], how_many integer, worker text)
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
