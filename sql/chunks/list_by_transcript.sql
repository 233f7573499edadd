SELECT id, user_id, transcript_id, chunk_index, chunk_text, token_count, metadata, created_at
FROM chunks
WHERE transcript_id = $1 AND user_id = $2
ORDER BY chunk_index
LIMIT $3 OFFSET $4;
