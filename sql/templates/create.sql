-- name: create :one
-- params: user_id|null, template_type, template_name, template_content, variables, is_default
-- A NULL owner ($1) makes a built-in template.
INSERT INTO templates (user_id, template_type, template_name, template_content, variables, is_default)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING *;
