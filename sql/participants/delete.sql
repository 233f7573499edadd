-- name: delete :found
-- params: participant_id, meeting_id, user_id
DELETE FROM participants
WHERE id = $1 AND meeting_id = $2 AND user_id = $3
RETURNING true AS deleted;
