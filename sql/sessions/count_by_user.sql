-- name: count_by_user :scalar
-- params: user_id
-- not null: count
SELECT count(*) FROM sessions WHERE user_id = $1 AND expires_at > now();
