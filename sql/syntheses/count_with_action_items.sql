-- name: count_with_action_items :scalar
-- params: user_id
-- not null: count
SELECT count(*) FROM syntheses WHERE user_id = $1 AND jsonb_array_length(action_items) > 0;
