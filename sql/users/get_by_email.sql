-- name: get_by_email :opt
-- params: email
-- struct: User
SELECT id, username, email, is_active, is_admin, created_at, updated_at
FROM users
WHERE lower(email) = lower($1);
