-- name: count_by_transcript :scalar
-- params: transcript_id, user_id
-- not null: count
SELECT count(*) FROM chunks WHERE transcript_id = $1 AND user_id = $2;
