-- name: exists :scalar
-- params: channel_id, user_id
-- not null: exists
SELECT EXISTS (SELECT 1 FROM channels WHERE id = $1 AND user_id = $2);
