-- name: similar :many
-- params: chunk_id, user_id, model_id, limit, ef_search, exact_below
-- not null: has_vector
-- nullable: transcript_id, video_id, youtube_video_id, chunk_index, chunk_text
-- The chunk's nearest neighbours among the user's chunks under one model, nearest
-- first, the chunk itself left out. No row: the chunk is not the user's; one row with
-- has_vector false: it has no vector of this model.
SELECT e0.chunk_id IS NOT NULL AS has_vector,
       n.chunk_id, c.transcript_id, t.video_id, v.youtube_video_id,
       v.title AS video_title, v.channel_id, c.chunk_index, c.chunk_text,
       n.distance
FROM chunks c0
LEFT JOIN chunk_embeddings e0 ON e0.chunk_id = c0.id AND e0.model_id = $3
LEFT JOIN LATERAL (
    SELECT nc.chunk_id, nc.distance
    FROM nearest_chunks($3, $2, e0.embedding::real[], $4 + 1, $5, NULL, NULL, NULL, $6) nc
    WHERE nc.chunk_id <> c0.id
    ORDER BY nc.distance, nc.chunk_id
    LIMIT $4
) n ON e0.chunk_id IS NOT NULL
LEFT JOIN chunks c ON c.id = n.chunk_id
LEFT JOIN transcripts t ON t.id = c.transcript_id
LEFT JOIN videos v ON v.id = t.video_id
WHERE c0.id = $1 AND c0.user_id = $2
ORDER BY n.distance, n.chunk_id;
