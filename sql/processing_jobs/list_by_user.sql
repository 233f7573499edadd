SELECT id, user_id, session_id, job_type, entity_type, entity_id, status, priority, attempts, max_attempts, run_after, payload, result, error_message, idempotency_key, locked_by, locked_at, started_at, finished_at, created_at, updated_at
FROM processing_jobs
WHERE user_id = $1
  AND ($2::text IS NULL OR status = $2)
  AND ($3::text IS NULL OR job_type = $3)
  AND ($4::uuid IS NULL OR session_id = $4)
ORDER BY created_at DESC, id
LIMIT $5 OFFSET $6;
