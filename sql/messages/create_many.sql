-- name: create_many :many
-- params: conversation_id, user_id, roles, contents, metadatas
-- returns: messages
-- All messages in one statement; created_at keeps the order they were given in.
WITH inserted AS (
    INSERT INTO messages (conversation_id, user_id, role, content, metadata, created_at)
    SELECT c.id, c.user_id, m.role, m.content, m.metadata,
           clock_timestamp() + (m.ord - 1) * interval '1 microsecond'
    FROM conversations c
    CROSS JOIN unnest($3::text[], $4::text[], $5::jsonb[])
               WITH ORDINALITY AS m (role, content, metadata, ord)
    WHERE c.id = $1 AND c.user_id = $2
    ORDER BY m.ord
    RETURNING *
)
SELECT *
FROM inserted
ORDER BY created_at, id;
