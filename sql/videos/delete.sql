-- name: delete :found
-- params: video_id, user_id
DELETE FROM videos
WHERE id = $1 AND user_id = $2
RETURNING true AS deleted;
