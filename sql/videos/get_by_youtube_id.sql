-- name: get_by_youtube_id :opt
-- params: user_id, youtube_video_id
SELECT id, user_id, channel_id, youtube_video_id, title, channel_name, duration_seconds, upload_date, description, tags, is_favorite, status, file_size_bytes, error_message, created_at, updated_at
FROM videos
WHERE user_id = $1 AND youtube_video_id = $2;
