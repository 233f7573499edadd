SELECT EXISTS (SELECT 1 FROM processing_sessions WHERE id = $1 AND user_id = $2);
