SELECT count(*) FROM syntheses WHERE user_id = $1 AND email_sent_at IS NULL;
