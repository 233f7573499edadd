-- name: set_favorite :opt
-- params: video_id, user_id, is_favorite
UPDATE videos
SET is_favorite = $3
WHERE id = $1 AND user_id = $2
RETURNING id, user_id, channel_id, youtube_video_id, title, channel_name, duration_seconds, upload_date, description, tags, is_favorite, status, file_size_bytes, error_message, created_at, updated_at;
