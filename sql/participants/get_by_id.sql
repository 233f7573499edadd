SELECT id, user_id, meeting_id, name, email, is_organizer, created_at, updated_at
FROM participants
WHERE id = $1 AND meeting_id = $2 AND user_id = $3;
