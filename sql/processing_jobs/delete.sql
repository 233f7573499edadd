DELETE FROM processing_jobs
WHERE id = $1 AND user_id = $2
RETURNING true AS deleted;
