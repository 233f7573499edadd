SELECT id, user_id, meeting_id, name, email, is_organizer, created_at, updated_at
FROM participants
WHERE meeting_id = $1 AND user_id = $2
ORDER BY position
LIMIT $3 OFFSET $4;
