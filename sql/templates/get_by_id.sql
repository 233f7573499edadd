-- name: get_by_id :opt
-- params: template_id, user_id
-- A user sees their own templates and the built-ins.
SELECT *
FROM templates
WHERE id = $1 AND (user_id = $2 OR user_id IS NULL);
