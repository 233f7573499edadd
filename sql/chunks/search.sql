-- Full-text search over the user's chunks, web-search syntax ("quoted phrase", or,
-- -excluded), best first; served by idx_chunks_search_vector. Filters are optional.
SELECT c.id AS chunk_id, c.transcript_id, t.video_id, v.youtube_video_id,
       v.title AS video_title, v.channel_id, c.chunk_index, c.chunk_text,
       ts_headline('english', c.chunk_text, q.query,
                   'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=12, MaxFragments=2')
           AS snippet,
       ts_rank_cd(c.search_vector, q.query, 32)::float8 AS rank
FROM websearch_to_tsquery('english', $2) AS q (query)
JOIN chunks c ON c.search_vector @@ q.query
JOIN transcripts t ON t.id = c.transcript_id
JOIN videos v ON v.id = t.video_id
WHERE c.user_id = $1
  AND ($3::uuid IS NULL OR t.video_id = $3)
  AND ($4::uuid IS NULL OR v.channel_id = $4)
  AND ($5::jsonb IS NULL OR c.metadata @> $5)
ORDER BY rank DESC, c.id
LIMIT $6 OFFSET $7;
