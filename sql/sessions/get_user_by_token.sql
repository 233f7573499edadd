-- name: get_user_by_token :opt
-- params: token_hash
-- struct: users.User
-- The one query behind every authenticated request.
SELECT u.id, u.username, u.email, u.is_active, u.is_admin, u.created_at, u.updated_at
FROM sessions s
JOIN users u ON u.id = s.user_id
WHERE s.token_hash = $1 AND s.expires_at > now() AND u.is_active;
