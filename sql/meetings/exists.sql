SELECT EXISTS (SELECT 1 FROM meetings WHERE id = $1 AND user_id = $2);
