-- name: exists :scalar
-- params: user_id
-- not null: exists
SELECT EXISTS (SELECT 1 FROM users WHERE id = $1);
