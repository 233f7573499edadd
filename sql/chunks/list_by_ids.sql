-- name: list_by_ids :many
-- params: chunk_ids, user_id
-- struct: Chunk
-- The user's chunks among the ids, in transcript order; others are left out.
SELECT id, user_id, transcript_id, chunk_index, chunk_text, token_count, metadata, created_at
FROM chunks
WHERE id = ANY($1::uuid[]) AND user_id = $2
ORDER BY transcript_id, chunk_index;
