-- name: create :opt
-- params: conversation_id, user_id, role, content, metadata
-- Inserts nothing (and returns no row) unless the conversation is the caller's.
INSERT INTO messages (conversation_id, user_id, role, content, metadata)
SELECT c.id, c.user_id, $3, $4, $5
FROM conversations c
WHERE c.id = $1 AND c.user_id = $2
RETURNING *;
