-- name: get_by_youtube_id :opt
-- params: user_id, youtube_video_id
SELECT *
FROM videos
WHERE user_id = $1 AND youtube_video_id = $2;
