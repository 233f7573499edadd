-- name: delete :found
-- params: conversation_id, user_id
DELETE FROM conversations
WHERE id = $1 AND user_id = $2
RETURNING true AS deleted;
