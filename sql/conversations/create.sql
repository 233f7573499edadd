-- name: create :one
-- params: user_id, title?
INSERT INTO conversations (user_id, title)
VALUES ($1, coalesce($2, 'New Conversation'))
RETURNING *;
