-- name: create :one
-- params: user_id, meeting_id, name, email?, is_organizer
-- struct: Participant
-- The (meeting_id, user_id) foreign key refuses another user's meeting.
INSERT INTO participants (user_id, meeting_id, name, email, is_organizer)
VALUES ($1, $2, $3, $4, $5)
RETURNING id, user_id, meeting_id, name, email, is_organizer, created_at, updated_at;
