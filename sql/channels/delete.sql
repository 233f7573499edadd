-- name: delete :found
-- params: channel_id, user_id
-- Its videos go with it (ON DELETE CASCADE).
DELETE FROM channels
WHERE id = $1 AND user_id = $2
RETURNING true AS deleted;
