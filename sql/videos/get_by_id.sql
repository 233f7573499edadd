-- name: get_by_id :opt
-- params: video_id, user_id
SELECT *
FROM videos
WHERE id = $1 AND user_id = $2;
