-- name: get_by_id :opt
-- params: participant_id, meeting_id, user_id
-- struct: Participant
SELECT id, user_id, meeting_id, name, email, is_organizer, created_at, updated_at
FROM participants
WHERE id = $1 AND meeting_id = $2 AND user_id = $3;
