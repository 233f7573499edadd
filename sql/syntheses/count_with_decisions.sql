SELECT count(*) FROM syntheses WHERE user_id = $1 AND jsonb_array_length(key_decisions) > 0;
