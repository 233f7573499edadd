-- name: count_by_user :scalar
-- params: user_id
-- not null: count
SELECT count(*) FROM syntheses WHERE user_id = $1;
