-- name: create :one
-- params: user_id, name?, configuration
INSERT INTO processing_sessions (user_id, name, configuration)
VALUES ($1, coalesce($2, 'Processing session'), $3)
RETURNING *;
