-- name: set_favorite :opt
-- params: video_id, user_id, is_favorite
UPDATE videos
SET is_favorite = $3
WHERE id = $1 AND user_id = $2
RETURNING *;
