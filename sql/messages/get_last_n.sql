-- The newest n, returned oldest first (the order a chat prompt wants).
SELECT id, conversation_id, user_id, role, content, metadata, created_at
FROM (
    SELECT id, conversation_id, user_id, role, content, metadata, created_at
    FROM messages
    WHERE conversation_id = $1 AND user_id = $2
    ORDER BY created_at DESC, id DESC
    LIMIT $3
) AS newest
ORDER BY created_at, id;
