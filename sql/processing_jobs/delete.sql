-- name: delete :found
-- params: job_id, user_id
DELETE FROM processing_jobs
WHERE id = $1 AND user_id = $2
RETURNING true AS deleted;
