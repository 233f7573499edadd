SELECT count(*)
FROM syntheses s, websearch_to_tsquery('english', $2) AS q (query)
WHERE s.user_id = $1 AND to_tsvector('english', s.summary) @@ q.query;
