-- name: exists :scalar
-- params: message_id, conversation_id, user_id
-- not null: exists
SELECT EXISTS (
    SELECT 1 FROM messages WHERE id = $1 AND conversation_id = $2 AND user_id = $3
);
