-- name: delete :found
-- params: key
DELETE FROM config
WHERE key = $1
RETURNING true AS deleted;
