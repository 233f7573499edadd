-- name: delete :found
-- params: message_id, conversation_id, user_id
DELETE FROM messages
WHERE id = $1 AND conversation_id = $2 AND user_id = $3
RETURNING true AS deleted;
