SELECT EXISTS (SELECT 1 FROM transcripts WHERE id = $1 AND user_id = $2);
