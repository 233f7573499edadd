-- name: exists :scalar
-- params: transcript_id, user_id
-- not null: exists
SELECT EXISTS (SELECT 1 FROM transcripts WHERE id = $1 AND user_id = $2);
