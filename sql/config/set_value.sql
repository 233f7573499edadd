-- name: set_value :one
-- params: key, value, description?
-- struct: ConfigEntry
-- Insert or replace; a NULL description keeps the one already there.
INSERT INTO config (key, value, description)
VALUES ($1, $2, $3)
ON CONFLICT (key) DO UPDATE
SET value       = EXCLUDED.value,
    description = coalesce(EXCLUDED.description, config.description)
RETURNING *;
