-- name: exists :scalar
-- params: meeting_id, user_id
-- not null: exists
SELECT EXISTS (SELECT 1 FROM meetings WHERE id = $1 AND user_id = $2);
