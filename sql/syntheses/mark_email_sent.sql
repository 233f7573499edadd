-- name: mark_email_sent :opt
-- params: meeting_id, user_id, recipients?
-- struct: Synthesis
-- $3 NULL keeps the recipients already recorded.
UPDATE syntheses
SET email_delivery_status = 'sent',
    email_sent_at         = now(),
    email_recipients      = coalesce($3, email_recipients),
    email_error           = NULL
WHERE meeting_id = $1 AND user_id = $2
RETURNING *;
