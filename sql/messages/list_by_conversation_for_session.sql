-- name: list_by_conversation_for_session :opt_page
-- params: conversation_id, token_hash, after_created_at?, after_id?, limit, offset
-- not null: total, metadata
-- struct: ListedMessage
-- list_by_conversation, for the caller a live session's token names, in the same
-- statement (one round trip). No row at all: the token is not live or the
-- conversation is not its user's; one row of NULLs: an empty page.
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
      AND (created_at, id) > (coalesce($3::timestamptz, '-infinity'),
                              coalesce($4::uuid, '00000000-0000-0000-0000-000000000000'))
    ORDER BY created_at, id
    LIMIT $5 OFFSET $6
) m ON true
WHERE s.token_hash = $2 AND s.expires_at > now()
ORDER BY m.created_at, m.id;
