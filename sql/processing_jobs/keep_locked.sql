-- name: keep_locked :exec
-- params: job_ids, worker
-- The running jobs' heartbeat: a worker that is alive renews the locks of the jobs
-- it runs, so that reclaim_stale (its own or another worker's) never takes back a
-- job that is merely long.
UPDATE processing_jobs
SET locked_at = now()
WHERE id = ANY($1::uuid[]) AND locked_by = $2 AND status = 'running';
