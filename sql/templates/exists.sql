-- name: exists :scalar
-- params: template_id, user_id
-- not null: exists
-- Visible to the user: their own or a built-in.
SELECT EXISTS (
    SELECT 1 FROM templates WHERE id = $1 AND (user_id = $2 OR user_id IS NULL)
);
