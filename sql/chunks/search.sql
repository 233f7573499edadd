-- name: search :page
-- params: user_id, query, metadata?, candidates, after_rank?, after_id?, limit, offset
-- page: capped
-- not null: total, capped, snippet, rank
-- struct: SearchHit
-- Full-text search over all the user's chunks in web-search syntax ("quoted phrase",
-- or, -excluded), best first, with the size of the result in the same statement.
-- search_scoped.sql is the same within one video or channel.
--
-- Ranking is bounded by design. The statement looks up how common the query's
-- terms are in PostgreSQL's own statistics, then:
-- * a term in a fifth of the chunks or more is tested on $4 chunks of the user's
--   most recent transcripts (idx_transcripts_user_created, then
--   uq_chunks_transcript_chunk_index), each read once, and ranked among the matches
--   there: the same cost whatever the term's frequency. The GIN index would have
--   to read the term's whole posting list, every user's matches included (and a
--   sequential scan would go through a small ring buffer, from the OS every time);
-- * a rarer term takes its first $4 + 1 matches from idx_chunks_search_vector: a
--   term with no more matches is ranked in full, exactly.
-- `capped` says a bound cut the result (the total is then a lower bound). The
-- metadata filter $3 applies to the examined chunks. The one-time filters keep the
-- generic plan of this statement right for every term (service/db.py).
--
-- Snippets are safe HTML by construction: the text is escaped before ts_headline
-- marks the matches, so <mark> and </mark> are the only markup in them.
-- The query, parsed once: as an InitPlan every row reads the same value, where the
-- call itself in a generic plan would parse $2 again for every chunk.
WITH q AS (SELECT websearch_to_tsquery('english', $2) AS query),
term_frequency AS (
    -- The share of chunks holding the query's rarest term, from the planner's own
    -- statistics (terms too rare to be listed there count as 0).
    SELECT coalesce(min(coalesce(s.freq, 0)), 0) >= 0.2 AS common
    FROM unnest(tsvector_to_array(to_tsvector('english', $2))) AS q (lexeme)
    LEFT JOIN (
        SELECT e.lexeme, e.freq
        FROM pg_stats st,
             unnest(st.most_common_elems::text::text[], st.most_common_elem_freqs)
                 AS e (lexeme, freq)
        WHERE st.schemaname = current_schema()
          AND st.tablename = 'chunks' AND st.attname = 'search_vector'
    ) s ON s.lexeme = q.lexeme
),
examined AS MATERIALIZED (
    -- A common term: $4 chunks of the most recent transcripts in scope, each tested.
    SELECT s.id,
           ts_match_vq(s.search_vector, (SELECT query FROM q)) AS hit,
           s.metadata @> coalesce($3::jsonb, '{}') AS wanted,
           CASE WHEN ts_match_vq(s.search_vector, (SELECT query FROM q))
                THEN ts_rank_cd(s.search_vector, (SELECT query FROM q), 32)::float8
           END AS rank
    FROM (
        SELECT c.id, c.metadata, c.search_vector
        FROM (
            SELECT t.id FROM transcripts t
            WHERE t.user_id = $1
            ORDER BY t.created_at DESC, t.id DESC
        ) recent
        CROSS JOIN LATERAL (
            SELECT c.id, c.metadata, c.search_vector
            FROM chunks c
            WHERE c.transcript_id = recent.id
            LIMIT $4::integer
        ) c
        WHERE (SELECT common FROM term_frequency)
        LIMIT $4::integer
    ) s
    UNION ALL
    -- A rarer term: its first $4 + 1 matches in scope, from the GIN index.
    SELECT g.id,
           true,
           g.metadata @> coalesce($3::jsonb, '{}'),
           ts_rank_cd(g.search_vector, (SELECT query FROM q), 32)::float8
    FROM (
        SELECT c.id, c.metadata, c.search_vector
        FROM chunks c
        WHERE NOT (SELECT common FROM term_frequency)
          AND c.user_id = $1
          AND c.search_vector @@ (SELECT query FROM q)
        LIMIT $4::integer + 1
    ) g
),
page AS (
    SELECT id, rank
    FROM examined
    WHERE hit AND wanted AND ($5::float8 IS NULL OR rank < $5 OR (rank = $5 AND id > $6::uuid))
    ORDER BY rank DESC, id
    LIMIT $7 OFFSET $8
)
SELECT n.total, n.capped,
       c.id AS chunk_id, c.transcript_id, t.video_id, v.youtube_video_id,
       v.title AS video_title, v.channel_id, c.chunk_index, c.chunk_text,
       ts_headline('english',
                   replace(replace(replace(replace(replace(c.chunk_text,
                       '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;'),
                   (SELECT query FROM q),
                   'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=12, MaxFragments=2')
           AS snippet,
       p.rank
FROM (
    SELECT count(*) FILTER (WHERE hit AND wanted) AS total,
           CASE WHEN (SELECT common FROM term_frequency)
                THEN count(*) >= $4::integer
                ELSE count(*) > $4::integer END AS capped
    FROM examined
) n
LEFT JOIN (page p
           JOIN chunks c ON c.id = p.id
           JOIN transcripts t ON t.id = c.transcript_id
           JOIN videos v ON v.id = t.video_id) ON true
ORDER BY p.rank DESC, p.id;
