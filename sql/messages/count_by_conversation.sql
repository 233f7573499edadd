SELECT count(*) FROM messages WHERE conversation_id = $1 AND user_id = $2;
