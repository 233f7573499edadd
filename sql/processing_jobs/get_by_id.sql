-- name: get_by_id :opt
-- params: job_id, user_id
-- struct: Job
SELECT id, user_id, session_id, job_type, entity_type, entity_id, status, priority, attempts, max_attempts, run_after, payload, result, error_message, idempotency_key, locked_by, locked_at, started_at, finished_at, created_at, updated_at
FROM processing_jobs
WHERE id = $1 AND user_id = $2;
