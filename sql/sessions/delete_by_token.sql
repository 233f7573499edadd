-- name: delete_by_token :found
-- params: token_hash
DELETE FROM sessions
WHERE token_hash = $1
RETURNING true AS deleted;
