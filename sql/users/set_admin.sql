-- name: set_admin :opt
-- params: username, is_admin
-- struct: User
UPDATE users
SET is_admin = $2
WHERE lower(username) = lower($1)
RETURNING id, username, email, is_active, is_admin, created_at, updated_at;
