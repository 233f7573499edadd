SELECT count(*) FROM sessions WHERE user_id = $1 AND expires_at > now();
