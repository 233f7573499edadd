-- name: list_all :many
-- params: limit, offset
-- struct: User
SELECT id, username, email, is_active, is_admin, created_at, updated_at
FROM users
ORDER BY created_at, id
LIMIT $1 OFFSET $2;
