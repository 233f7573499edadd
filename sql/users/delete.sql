-- name: delete :found
-- params: user_id
DELETE FROM users
WHERE id = $1
RETURNING true AS deleted;
