-- name: get_by_id :opt
-- params: conversation_id, user_id
SELECT id, user_id, title, message_count, created_at, updated_at
FROM conversations
WHERE id = $1 AND user_id = $2;
