-- name: exists :scalar
-- params: video_id, user_id
-- not null: exists
SELECT EXISTS (SELECT 1 FROM videos WHERE id = $1 AND user_id = $2);
