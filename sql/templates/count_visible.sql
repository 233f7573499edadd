-- name: count_visible :scalar
-- params: user_id, template_type?
-- not null: count
SELECT count(*)
FROM templates
WHERE (user_id = $1 OR user_id IS NULL)
  AND ($2::text IS NULL OR template_type = $2);
