UPDATE participants
SET name         = coalesce($4, name),
    email        = coalesce($5, email),
    is_organizer = coalesce($6, is_organizer)
WHERE id = $1 AND meeting_id = $2 AND user_id = $3
RETURNING id, user_id, meeting_id, name, email, is_organizer, created_at, updated_at;
