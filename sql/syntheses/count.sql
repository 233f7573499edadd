SELECT count(*) FROM syntheses WHERE user_id = $1;
