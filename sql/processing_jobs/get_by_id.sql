-- name: get_by_id :opt
-- params: job_id, user_id
-- struct: Job
SELECT *
FROM processing_jobs
WHERE id = $1 AND user_id = $2;
