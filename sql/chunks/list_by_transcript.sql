-- name: list_by_transcript :opt_page
-- params: transcript_id, user_id, after_chunk_index?, limit, offset
-- not null: total
-- struct: Chunk
-- A page of the transcript's chunks in order, after chunk_index $3 when given, with
-- the transcript's chunk count (kept by a trigger) as the total. No row at all: the
-- transcript is not the caller's; one row of NULLs: an empty page.
SELECT t.chunk_count AS total,
       c.id, c.user_id, c.transcript_id, c.chunk_index, c.chunk_text, c.token_count,
       c.metadata, c.created_at
FROM transcripts t
LEFT JOIN LATERAL (
    SELECT id, user_id, transcript_id, chunk_index, chunk_text, token_count, metadata, created_at
    FROM chunks
    WHERE transcript_id = t.id AND chunk_index > coalesce($3::integer, -1)
    ORDER BY chunk_index
    LIMIT $4 OFFSET $5
) c ON true
WHERE t.id = $1 AND t.user_id = $2
ORDER BY c.chunk_index;
