-- name: delete_by_token :opt_scalar
-- params: token_hash
DELETE FROM sessions
WHERE token_hash = $1
RETURNING true AS deleted;
