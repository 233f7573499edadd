-- name: enqueue :opt
-- params: user_id, session_id?, job_type, entity_type?, entity_id?, priority, max_attempts, run_after?, payload, idempotency_key?
-- not null: created
-- returns: processing_jobs
-- struct: Job
-- A repeated idempotency key returns the job it first made; the last column says
-- whether this call created it.
WITH inserted AS (
    INSERT INTO processing_jobs (user_id, session_id, job_type, entity_type, entity_id,
                                 priority, max_attempts, run_after, payload, idempotency_key)
    VALUES ($1, $2, $3, $4, $5, $6, $7, coalesce($8, now()), $9, $10)
    ON CONFLICT (user_id, idempotency_key) DO NOTHING
    RETURNING id, user_id, session_id, job_type, entity_type, entity_id, status, priority, attempts, max_attempts, run_after, payload, result, error_message, idempotency_key, locked_by, locked_at, started_at, finished_at, created_at, updated_at
)
SELECT id, user_id, session_id, job_type, entity_type, entity_id, status, priority, attempts, max_attempts, run_after, payload, result, error_message, idempotency_key, locked_by, locked_at, started_at, finished_at, created_at, updated_at, true AS created FROM inserted
UNION ALL
SELECT id, user_id, session_id, job_type, entity_type, entity_id, status, priority, attempts, max_attempts, run_after, payload, result, error_message, idempotency_key, locked_by, locked_at, started_at, finished_at, created_at, updated_at, false AS created
FROM processing_jobs
WHERE user_id = $1 AND idempotency_key = $10 AND NOT EXISTS (SELECT 1 FROM inserted);
