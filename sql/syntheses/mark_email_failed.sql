-- name: mark_email_failed :opt
-- params: meeting_id, user_id, error
-- struct: Synthesis
UPDATE syntheses
SET email_delivery_status = 'failed',
    email_sent_at         = NULL,
    email_error           = $3
WHERE meeting_id = $1 AND user_id = $2
RETURNING *;
