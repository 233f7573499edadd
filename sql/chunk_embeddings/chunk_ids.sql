-- name: chunk_ids :opt
-- params: transcript_id, user_id
-- not null: chunk_ids
-- The transcript's chunk ids in chunk order; no row when the transcript is not the
-- user's. The row lock holds off a re-ingest or a rechunk (which replace the chunks)
-- and another writer of the transcript's vectors until the caller's are written.
SELECT coalesce((SELECT array_agg(c.id ORDER BY c.chunk_index)
                 FROM chunks c WHERE c.transcript_id = t.id), '{}') AS chunk_ids
FROM transcripts t
WHERE t.id = $1 AND t.user_id = $2
FOR NO KEY UPDATE OF t;
