-- name: update :opt
-- params: conversation_id, user_id, title?
UPDATE conversations
SET title = coalesce($3, title)
WHERE id = $1 AND user_id = $2
RETURNING *;
