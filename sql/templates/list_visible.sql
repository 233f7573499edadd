-- name: list_visible :page
-- params: user_id, template_type?, limit, offset
-- not null: total
-- returns: templates
-- The caller's templates, then the built-ins; $2 optionally narrows to one type;
-- with the number of such templates (a short list: counted in full).
WITH visible AS NOT MATERIALIZED (
    SELECT *
    FROM templates
    WHERE (user_id = $1 OR user_id IS NULL)
      AND ($2::text IS NULL OR template_type = $2)
)
SELECT n.total, p.*
FROM (SELECT count(*) AS total FROM visible) n
LEFT JOIN LATERAL (
    SELECT * FROM visible
    ORDER BY user_id IS NULL, template_type, template_name, id
    LIMIT $3 OFFSET $4
) p ON true
ORDER BY p.user_id IS NULL, p.template_type, p.template_name, p.id;
