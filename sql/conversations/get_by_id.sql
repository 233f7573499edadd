-- name: get_by_id :opt
-- params: conversation_id, user_id
SELECT *
FROM conversations
WHERE id = $1 AND user_id = $2;
