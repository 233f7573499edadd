SELECT EXISTS (SELECT 1 FROM conversations WHERE id = $1 AND user_id = $2);
