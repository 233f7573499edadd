-- name: claim :many
-- params: user_id|null, job_types|null, limit, worker
-- returns: processing_jobs
-- struct: Job
-- Take up to $3 ready jobs, highest priority first, then oldest. SKIP LOCKED lets
-- concurrent workers pass over each other's rows instead of waiting or doubling up.
-- $1 NULL claims for every user (the built-in worker); $2 NULL takes any job type.
-- claim_jobs() (migrations 0014, 0015) is the statement, with its plans pinned (a
-- burst of jobs outruns the table's statistics) and a branch each for a user's
-- claim and for given job types, each over its own index.
SELECT *
FROM claim_jobs($1, $2, $3, $4)
ORDER BY priority DESC, run_after, created_at;
