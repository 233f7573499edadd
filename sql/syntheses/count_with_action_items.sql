SELECT count(*) FROM syntheses WHERE user_id = $1 AND jsonb_array_length(action_items) > 0;
