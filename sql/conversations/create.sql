-- name: create :one
-- params: user_id, title?
INSERT INTO conversations (user_id, title)
VALUES ($1, coalesce($2, 'New Conversation'))
RETURNING id, user_id, title, message_count, created_at, updated_at;
