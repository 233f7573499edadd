-- name: create :one
-- params: user_id, youtube_channel_id, name, description?, status, metadata, processing_config
-- not null: video_count
-- struct: Channel
INSERT INTO channels AS c
    (user_id, youtube_channel_id, name, description, status, metadata, processing_config)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING c.*, 0::bigint AS video_count;
