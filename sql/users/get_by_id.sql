-- name: get_by_id :opt
-- params: user_id
-- struct: User
SELECT id, username, email, is_active, is_admin, created_at, updated_at
FROM users
WHERE id = $1;
