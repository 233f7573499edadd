-- name: get_by_id :opt
-- params: message_id, conversation_id, user_id
SELECT id, conversation_id, user_id, role, content, metadata, created_at
FROM messages
WHERE id = $1 AND conversation_id = $2 AND user_id = $3;
