-- name: count_with_decisions :scalar
-- params: user_id
-- not null: count
SELECT count(*) FROM syntheses WHERE user_id = $1 AND jsonb_array_length(key_decisions) > 0;
