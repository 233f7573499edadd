-- name: delete_by_transcript :scalar
-- params: transcript_id, user_id, model_id
-- not null: deleted
-- The transcript's vectors of one model, before a new set is written.
WITH deleted AS (
    DELETE FROM chunk_embeddings e
    USING chunks c
    WHERE c.transcript_id = $1 AND c.user_id = $2
      AND e.chunk_id = c.id AND e.model_id = $3
    RETURNING 1
)
SELECT count(*) AS deleted FROM deleted;
