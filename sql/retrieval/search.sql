-- name: search :page
-- params: user_id, model_id|null, embedding|null, query|null, window, ef_search, candidates, rrf_k, video_id|null, channel_id|null, metadata|null, after_score|null, after_id|null, limit, offset, exact_below
-- not null: total, score
-- struct: RetrievalHit
-- Lexical, semantic or hybrid retrieval over the user's chunks in one statement: the
-- semantic leg runs when an embedding is given, the lexical leg when a query is, and
-- the two rankings (each its top $5, the window) are fused by reciprocal rank fusion:
-- score = 1/($8 + lexical rank) + 1/($8 + semantic rank), a missing rank adding 0.
--
-- Semantic: nearest_chunks() (migration 0013) walks the model's HNSW index with
-- iterative scans, or ranks a video's or channel's chunks exactly. Lexical: the first
-- $7 matches in scope from idx_chunks_search_vector, ranked by ts_rank_cd (like
-- /search's bound for a rare term). Scope and metadata filters are tests that a NULL
-- parameter short-circuits, so the generic plan stays on the text's GIN index
-- (tests/sql/test_embeddings.py reads that plan).
WITH q AS (SELECT websearch_to_tsquery('english', $4) AS query),
semantic AS (
    SELECT n.chunk_id, n.distance,
           row_number() OVER (ORDER BY n.distance, n.chunk_id) AS rank
    FROM nearest_chunks($2, $1, $3::real[], $5, $6, $9, $10, $11, $16) n
    WHERE $3::real[] IS NOT NULL
),
matches AS (
    SELECT c.id, ts_rank_cd(c.search_vector, (SELECT query FROM q), 32)::float8 AS text_rank
    FROM chunks c
    WHERE $4::text IS NOT NULL
      AND c.user_id = $1
      AND c.search_vector @@ (SELECT query FROM q)
      -- Not `@> coalesce($11, '{}')`: a generic plan would AND the metadata GIN index
      -- in, and '{}' matches every chunk (82 ms of bitmap at 220,000 chunks).
      AND ($11::jsonb IS NULL OR c.metadata @> $11)
      AND ($9::uuid IS NULL OR EXISTS (
              SELECT 1 FROM transcripts t WHERE t.id = c.transcript_id AND t.video_id = $9))
      AND ($10::uuid IS NULL OR EXISTS (
              SELECT 1 FROM transcripts t JOIN videos v ON v.id = t.video_id
              WHERE t.id = c.transcript_id AND v.channel_id = $10))
    LIMIT $7::integer
),
lexical AS (
    SELECT id AS chunk_id, text_rank,
           row_number() OVER (ORDER BY text_rank DESC, id) AS rank
    FROM matches
    ORDER BY text_rank DESC, id
    LIMIT $5::integer
),
fused AS (
    SELECT coalesce(s.chunk_id, l.chunk_id) AS chunk_id,
           l.rank AS lexical_rank, l.text_rank,
           s.rank AS semantic_rank, s.distance AS semantic_distance,
           coalesce(1.0::float8 / ($8::integer + l.rank), 0)
             + coalesce(1.0::float8 / ($8::integer + s.rank), 0) AS score
    FROM semantic s
    FULL JOIN lexical l ON l.chunk_id = s.chunk_id
),
page AS (
    SELECT *
    FROM fused
    WHERE $12::float8 IS NULL OR score < $12 OR (score = $12 AND chunk_id > $13::uuid)
    ORDER BY score DESC, chunk_id
    LIMIT $14 OFFSET $15
)
SELECT n.total,
       c.id AS chunk_id, c.transcript_id, t.video_id, v.youtube_video_id,
       v.title AS video_title, v.channel_id, c.chunk_index, c.chunk_text,
       CASE WHEN $4::text IS NOT NULL THEN
           ts_headline('english',
                       replace(replace(replace(replace(replace(c.chunk_text,
                           '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;'),
                       (SELECT query FROM q),
                       'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=12, MaxFragments=2')
       END AS snippet,
       p.lexical_rank, p.text_rank, p.semantic_rank, p.semantic_distance, p.score
FROM (SELECT count(*) AS total FROM fused) n
LEFT JOIN (page p
           JOIN chunks c ON c.id = p.chunk_id
           JOIN transcripts t ON t.id = c.transcript_id
           JOIN videos v ON v.id = t.video_id) ON true
ORDER BY p.score DESC, p.chunk_id;
