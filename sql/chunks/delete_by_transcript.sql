-- name: delete_by_transcript :scalar
-- params: transcript_id, user_id
-- not null: count
-- How many chunks went.
WITH deleted AS (
    DELETE FROM chunks WHERE transcript_id = $1 AND user_id = $2 RETURNING 1
)
SELECT count(*) FROM deleted;
