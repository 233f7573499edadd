-- name: count_by_conversation :scalar
-- params: conversation_id, user_id
-- not null: count
SELECT count(*) FROM messages WHERE conversation_id = $1 AND user_id = $2;
