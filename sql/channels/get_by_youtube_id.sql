-- name: get_by_youtube_id :opt
-- params: user_id, youtube_channel_id
-- not null: video_count
-- struct: Channel
SELECT c.id, c.user_id, c.youtube_channel_id, c.name, c.description, c.status, c.metadata, c.processing_config, c.created_at, c.updated_at,
       (SELECT count(*) FROM videos v WHERE v.channel_id = c.id) AS video_count
FROM channels c
WHERE c.user_id = $1 AND c.youtube_channel_id = $2;
