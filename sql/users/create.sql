-- name: create :one
-- params: username, email, password_hash
-- struct: User
INSERT INTO users (username, email, password_hash)
VALUES ($1, $2, $3)
RETURNING id, username, email, is_active, is_admin, created_at, updated_at;
