-- Each channel with its number of videos, in one query; $2 optionally filters by status.
SELECT c.id, c.user_id, c.youtube_channel_id, c.name, c.description, c.status, c.metadata, c.processing_config, c.created_at, c.updated_at,
       count(v.id) AS video_count
FROM channels c
LEFT JOIN videos v ON v.channel_id = c.id
WHERE c.user_id = $1 AND ($2::text IS NULL OR c.status = $2)
GROUP BY c.id
ORDER BY c.created_at DESC, c.id
LIMIT $3 OFFSET $4;
