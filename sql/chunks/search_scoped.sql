-- name: search_scoped :page
-- params: user_id, query, video_id?, channel_id?, metadata?, candidates, after_rank?, after_id?, limit, offset
-- page: capped
-- not null: total, capped, snippet, rank
-- struct: SearchHit
-- search.sql within one video ($3) or one channel ($4), or both: the same bounds
-- ($6 chunks examined for a common term, $6 + 1 matches for a rarer one), the
-- same ranking, totals and escaped snippets. A common term is tested on the
-- scope's most recent transcripts (uq_chunks_transcript_chunk_index); a rarer one
-- intersects the scope's chunks with idx_chunks_search_vector. Left to itself the
-- planner intersects even for a common term, and that reads the term's whole
-- posting list (all users' matches) to keep a few hundred of them.
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
scope AS MATERIALIZED (
    -- The video's transcripts (through its index), or the channel's (through the
    -- channel's videos): each arm is an index plan, and one-time filters on $3 and
    -- $4 run only the arm that applies.
    SELECT t.id, t.created_at
    FROM transcripts t
    JOIN videos v ON v.id = t.video_id
    WHERE $3::uuid IS NOT NULL AND t.video_id = $3 AND t.user_id = $1
      AND ($4::uuid IS NULL OR v.channel_id = $4)
    UNION ALL
    SELECT t.id, t.created_at
    FROM videos v
    JOIN transcripts t ON t.video_id = v.id
    WHERE $3::uuid IS NULL AND v.channel_id = $4 AND v.user_id = $1
    UNION ALL  -- neither: all the user's transcripts (search.sql does this faster)
    SELECT t.id, t.created_at
    FROM transcripts t
    WHERE $3::uuid IS NULL AND $4::uuid IS NULL AND t.user_id = $1
),
examined AS MATERIALIZED (
    -- A common term: $6 chunks of the most recent transcripts in scope, each tested.
    SELECT s.id,
           ts_match_vq(s.search_vector, (SELECT query FROM q)) AS hit,
           s.metadata @> coalesce($5::jsonb, '{}') AS wanted,
           CASE WHEN ts_match_vq(s.search_vector, (SELECT query FROM q))
                THEN ts_rank_cd(s.search_vector, (SELECT query FROM q), 32)::float8
           END AS rank
    FROM (
        SELECT c.id, c.metadata, c.search_vector
        FROM (SELECT id FROM scope ORDER BY created_at DESC, id DESC) recent
        CROSS JOIN LATERAL (
            SELECT c.id, c.metadata, c.search_vector
            FROM chunks c
            WHERE c.transcript_id = recent.id
            LIMIT $6::integer
        ) c
        WHERE (SELECT common FROM term_frequency)
        LIMIT $6::integer
    ) s
    UNION ALL
    -- A rarer term: its first $6 + 1 matches in scope, from the GIN index.
    SELECT g.id,
           true,
           g.metadata @> coalesce($5::jsonb, '{}'),
           ts_rank_cd(g.search_vector, (SELECT query FROM q), 32)::float8
    FROM (
        SELECT c.id, c.metadata, c.search_vector
        FROM chunks c
        WHERE NOT (SELECT common FROM term_frequency)
          AND c.user_id = $1
          AND c.transcript_id = ANY (ARRAY(SELECT id FROM scope))
          AND c.search_vector @@ (SELECT query FROM q)
        LIMIT $6::integer + 1
    ) g
),
page AS (
    SELECT id, rank
    FROM examined
    WHERE hit AND wanted AND ($7::float8 IS NULL OR rank < $7 OR (rank = $7 AND id > $8::uuid))
    ORDER BY rank DESC, id
    LIMIT $9 OFFSET $10
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
                THEN count(*) >= $6::integer
                ELSE count(*) > $6::integer END AS capped
    FROM examined
) n
LEFT JOIN (page p
           JOIN chunks c ON c.id = p.id
           JOIN transcripts t ON t.id = c.transcript_id
           JOIN videos v ON v.id = t.video_id) ON true
ORDER BY p.rank DESC, p.id;
