SELECT count(*) FROM syntheses WHERE user_id = $1 AND email_delivery_status = 'pending';
