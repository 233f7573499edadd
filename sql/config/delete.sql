-- name: delete :opt_scalar
-- params: key
DELETE FROM config
WHERE key = $1
RETURNING true AS deleted;
