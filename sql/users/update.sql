-- name: update :opt
-- params: user_id, username?, email?, password_hash?, is_active?
-- struct: User
-- NULL leaves a column as it is.
UPDATE users
SET username      = coalesce($2, username),
    email         = coalesce($3, email),
    password_hash = coalesce($4, password_hash),
    is_active     = coalesce($5, is_active)
WHERE id = $1
RETURNING id, username, email, is_active, is_admin, created_at, updated_at;
