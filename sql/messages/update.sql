-- name: update :opt
-- params: message_id, conversation_id, user_id, content?, metadata?
UPDATE messages
SET content  = coalesce($4, content),
    metadata = coalesce($5, metadata)
WHERE id = $1 AND conversation_id = $2 AND user_id = $3
RETURNING *;
