-- name: create :one
-- params: user_id, name?, configuration
INSERT INTO processing_sessions (user_id, name, configuration)
VALUES ($1, coalesce($2, 'Processing session'), $3)
RETURNING id, user_id, name, status, configuration, total_items, completed_items, failed_items, started_at, finished_at, created_at, updated_at;
