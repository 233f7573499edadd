-- name: update :opt
-- params: participant_id, meeting_id, user_id, name?, email?, is_organizer?, cleared
-- struct: Participant
-- A PATCH: NULL leaves a column as it is, and $7 names the (nullable) columns to
-- clear.
UPDATE participants
SET name         = coalesce($4, name),
    email        = CASE WHEN 'email' = ANY($7::text[]) THEN NULL
                        ELSE coalesce($5, email) END,
    is_organizer = coalesce($6, is_organizer)
WHERE id = $1 AND meeting_id = $2 AND user_id = $3
RETURNING id, user_id, meeting_id, name, email, is_organizer, created_at, updated_at;
