-- name: delete :found
-- params: meeting_id, user_id
DELETE FROM syntheses
WHERE meeting_id = $1 AND user_id = $2
RETURNING true AS deleted;
