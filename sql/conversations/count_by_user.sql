SELECT count(*) FROM conversations WHERE user_id = $1;
