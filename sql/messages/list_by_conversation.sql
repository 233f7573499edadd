-- Oldest first.
SELECT id, conversation_id, user_id, role, content, metadata, created_at
FROM messages
WHERE conversation_id = $1 AND user_id = $2
ORDER BY created_at, id
LIMIT $3 OFFSET $4;
