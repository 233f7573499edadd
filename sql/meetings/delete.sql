-- name: delete :found
-- params: meeting_id, user_id
-- Its participants and synthesis go with it (ON DELETE CASCADE).
DELETE FROM meetings
WHERE id = $1 AND user_id = $2
RETURNING true AS deleted;
