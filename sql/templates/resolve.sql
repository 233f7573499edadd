-- name: resolve :opt
-- params: user_id, template_type
-- The caller's default for a type, else the built-in default.
SELECT *
FROM templates
WHERE template_type = $2
  AND is_default
  AND (user_id = $1 OR user_id IS NULL)
ORDER BY user_id IS NULL
LIMIT 1;
