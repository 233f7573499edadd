-- name: count_by_user :scalar
-- params: user_id, status?, job_type?, session_id?
-- not null: count
SELECT count(*)
FROM processing_jobs
WHERE user_id = $1
  AND ($2::text IS NULL OR status = $2)
  AND ($3::text IS NULL OR job_type = $3)
  AND ($4::uuid IS NULL OR session_id = $4);
