-- name: list_last_n_for_session :opt_page
-- params: conversation_id, token_hash, n
-- not null: total, metadata
-- struct: ListedMessage
-- list_last_n, for the caller a live session's token names, in the same statement
-- (one round trip). No row at all: the token is not live or the conversation is
-- not its user's.
SELECT c.message_count AS total,
       m.id, m.conversation_id, m.user_id, m.role, m.content, m.metadata::json AS metadata,
       m.created_at
FROM sessions s
JOIN users u ON u.id = s.user_id AND u.is_active
JOIN conversations c ON c.user_id = u.id AND c.id = $1
LEFT JOIN LATERAL (
    SELECT *
    FROM messages
    WHERE conversation_id = c.id
    ORDER BY created_at DESC, id DESC
    LIMIT $3
) m ON true
WHERE s.token_hash = $2 AND s.expires_at > now()
ORDER BY m.created_at, m.id;
