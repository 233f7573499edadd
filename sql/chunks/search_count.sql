SELECT count(*)
FROM websearch_to_tsquery('english', $2) AS q (query)
JOIN chunks c ON c.search_vector @@ q.query
JOIN transcripts t ON t.id = c.transcript_id
JOIN videos v ON v.id = t.video_id
WHERE c.user_id = $1
  AND ($3::uuid IS NULL OR t.video_id = $3)
  AND ($4::uuid IS NULL OR v.channel_id = $4)
  AND ($5::jsonb IS NULL OR c.metadata @> $5);
