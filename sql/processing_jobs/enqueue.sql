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
    RETURNING *
)
SELECT *, true AS created FROM inserted
UNION ALL
SELECT *, false AS created
FROM processing_jobs
WHERE user_id = $1 AND idempotency_key = $10 AND NOT EXISTS (SELECT 1 FROM inserted);
