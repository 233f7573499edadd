-- name: list_by_conversation :opt_page
-- params: conversation_id, user_id, after_created_at?, after_id?, limit, offset
-- not null: total, metadata
-- struct: ListedMessage
-- A page of the conversation's messages, oldest first, after the cursor ($3, $4)
-- when given, with the conversation's message count (kept by a trigger) as the total.
-- No row at all: the conversation is not the caller's; one row of NULLs: an empty page.
-- metadata::json: handed to the client as stored, never parsed (service/db.py).
SELECT c.message_count AS total,
       m.id, m.conversation_id, m.user_id, m.role, m.content, m.metadata::json AS metadata,
       m.created_at
FROM conversations c
LEFT JOIN LATERAL (
    SELECT *
    FROM messages
    WHERE conversation_id = c.id
      AND (created_at, id) > (coalesce($3::timestamptz, '-infinity'),
                              coalesce($4::uuid, '00000000-0000-0000-0000-000000000000'))
    ORDER BY created_at, id
    LIMIT $5 OFFSET $6
) m ON true
WHERE c.id = $1 AND c.user_id = $2
ORDER BY m.created_at, m.id;
