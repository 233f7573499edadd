SELECT count(*)
FROM meetings m, websearch_to_tsquery('english', $2) AS q (query)
WHERE m.user_id = $1 AND to_tsvector('english', m.title) @@ q.query;
