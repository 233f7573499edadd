-- name: update :opt
-- params: meeting_id, user_id, summary?, key_decisions?, action_items?, open_questions?, key_topics?, llm_model?, llm_tokens_used?, processing_time_seconds?, confidence_score?, email_recipients?, email_sent_at?, email_delivery_status?, email_error?, cleared
-- struct: Synthesis
-- A PATCH: NULL in $3..$15 leaves a column as it is, and $16 names the columns to
-- clear (the nullable ones). Delivery: an email_sent_at means sent, clearing it
-- means pending again; any status but sent clears email_sent_at; email_error is
-- kept only while failed.
UPDATE syntheses
SET summary                 = coalesce($3, summary),
    key_decisions           = coalesce($4, key_decisions),
    action_items            = coalesce($5, action_items),
    open_questions          = coalesce($6, open_questions),
    key_topics              = coalesce($7, key_topics),
    llm_model               = CASE WHEN 'llm_model' = ANY($16::text[]) THEN NULL
                                   ELSE coalesce($8, llm_model) END,
    llm_tokens_used         = CASE WHEN 'llm_tokens_used' = ANY($16::text[]) THEN NULL
                                   ELSE coalesce($9, llm_tokens_used) END,
    processing_time_seconds = CASE WHEN 'processing_time_seconds' = ANY($16::text[]) THEN NULL
                                   ELSE coalesce($10, processing_time_seconds) END,
    confidence_score        = CASE WHEN 'confidence_score' = ANY($16::text[]) THEN NULL
                                   ELSE coalesce($11, confidence_score) END,
    email_recipients        = coalesce($12, email_recipients),
    email_delivery_status   = delivery.status,
    email_sent_at           = CASE delivery.status
                                  WHEN 'sent' THEN coalesce($13, email_sent_at, now()) END,
    email_error             = CASE WHEN delivery.status = 'failed'
                                        AND NOT 'email_error' = ANY($16::text[])
                                   THEN coalesce($15, email_error) END
FROM (
    SELECT coalesce($14::text,
                    CASE WHEN $13::timestamptz IS NOT NULL THEN 'sent'
                         WHEN 'email_sent_at' = ANY($16::text[]) THEN 'pending' END,
                    s.email_delivery_status) AS status
    FROM syntheses s
    WHERE s.meeting_id = $1 AND s.user_id = $2
) delivery
WHERE meeting_id = $1 AND user_id = $2
RETURNING syntheses.*;
