-- name: get_by_id :opt
-- params: channel_id, user_id
-- not null: video_count
-- struct: Channel
SELECT c.id, c.user_id, c.youtube_channel_id, c.name, c.description, c.status, c.metadata, c.processing_config, c.created_at, c.updated_at,
       (SELECT count(*) FROM videos v WHERE v.channel_id = c.id) AS video_count
FROM channels c
WHERE c.id = $1 AND c.user_id = $2;
