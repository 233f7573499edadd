SELECT count(*) FROM processing_sessions WHERE user_id = $1 AND ($2::text IS NULL OR status = $2);
