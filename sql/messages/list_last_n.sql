-- name: list_last_n :opt_page
-- params: conversation_id, user_id, n
-- not null: total, metadata
-- struct: ListedMessage
-- The newest n, returned oldest first (the order a chat prompt wants), with the
-- conversation's message count; no row at all when the conversation is not the
-- caller's. metadata::json: handed to the client as stored, never parsed
-- (service/db.py).
SELECT c.message_count AS total,
       m.id, m.conversation_id, m.user_id, m.role, m.content, m.metadata::json AS metadata,
       m.created_at
FROM conversations c
LEFT JOIN LATERAL (
    SELECT *
    FROM messages
    WHERE conversation_id = c.id
    ORDER BY created_at DESC, id DESC
    LIMIT $3
) m ON true
WHERE c.id = $1 AND c.user_id = $2
ORDER BY m.created_at, m.id;
