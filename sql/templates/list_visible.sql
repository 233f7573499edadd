-- The caller's templates, then the built-ins; $2 optionally narrows to one type.
SELECT id, user_id, template_type, template_name, template_content, variables, is_default, created_at, updated_at
FROM templates
WHERE (user_id = $1 OR user_id IS NULL)
  AND ($2::text IS NULL OR template_type = $2)
ORDER BY user_id IS NULL, template_type, template_name, id
LIMIT $3 OFFSET $4;
