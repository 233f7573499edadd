-- name: get_by_id :opt
-- params: message_id, conversation_id, user_id
SELECT *
FROM messages
WHERE id = $1 AND conversation_id = $2 AND user_id = $3;
