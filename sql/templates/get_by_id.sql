-- name: get_by_id :opt
-- params: template_id, user_id
-- A user sees their own templates and the built-ins.
SELECT id, user_id, template_type, template_name, template_content, variables, is_default, created_at, updated_at
FROM templates
WHERE id = $1 AND (user_id = $2 OR user_id IS NULL);
