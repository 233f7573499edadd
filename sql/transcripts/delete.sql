-- name: delete :found
-- params: transcript_id, user_id
-- Its chunks go with it (ON DELETE CASCADE).
DELETE FROM transcripts
WHERE id = $1 AND user_id = $2
RETURNING true AS deleted;
