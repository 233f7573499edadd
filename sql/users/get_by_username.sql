-- name: get_by_username :opt
-- params: username
-- struct: User
SELECT id, username, email, is_active, is_admin, created_at, updated_at
FROM users
WHERE lower(username) = lower($1);
