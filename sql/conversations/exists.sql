-- name: exists :scalar
-- params: conversation_id, user_id
-- not null: exists
SELECT EXISTS (SELECT 1 FROM conversations WHERE id = $1 AND user_id = $2);
