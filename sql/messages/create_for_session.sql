-- name: create_for_session :opt
-- params: conversation_id, token_hash, role, content, metadata
-- create, for the caller a live session's token names, in the same statement: the
-- token lookup and the insert are one round trip. Inserts nothing (and returns no
-- row) unless the token is live and the conversation is its user's.
INSERT INTO messages (conversation_id, user_id, role, content, metadata)
SELECT c.id, c.user_id, $3, $4, $5
FROM sessions s
JOIN users u ON u.id = s.user_id AND u.is_active
JOIN conversations c ON c.user_id = u.id
WHERE c.id = $1 AND s.token_hash = $2 AND s.expires_at > now()
RETURNING *;
