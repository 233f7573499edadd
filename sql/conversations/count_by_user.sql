-- name: count_by_user :scalar
-- params: user_id
-- not null: count
SELECT count(*) FROM conversations WHERE user_id = $1;
