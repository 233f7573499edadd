-- NULL leaves a column as it is. Delivery: an email_sent_at means sent; any status
-- but sent clears email_sent_at; email_error is kept only while failed.
UPDATE syntheses
SET summary                 = coalesce($3, summary),
    key_decisions           = coalesce($4, key_decisions),
    action_items            = coalesce($5, action_items),
    open_questions          = coalesce($6, open_questions),
    key_topics              = coalesce($7, key_topics),
    llm_model               = coalesce($8, llm_model),
    llm_tokens_used         = coalesce($9, llm_tokens_used),
    processing_time_seconds = coalesce($10, processing_time_seconds),
    confidence_score        = coalesce($11, confidence_score),
    email_recipients        = coalesce($12, email_recipients),
    email_delivery_status   = coalesce($14::text, CASE WHEN $13::timestamptz IS NOT NULL
                                                      THEN 'sent' END, email_delivery_status),
    email_sent_at           = CASE coalesce($14::text, CASE WHEN $13::timestamptz IS NOT NULL
                                                           THEN 'sent' END, email_delivery_status)
                                  WHEN 'sent' THEN coalesce($13, email_sent_at, now()) END,
    email_error             = CASE coalesce($14::text, CASE WHEN $13::timestamptz IS NOT NULL
                                                           THEN 'sent' END, email_delivery_status)
                                  WHEN 'failed' THEN coalesce($15, email_error) END
WHERE meeting_id = $1 AND user_id = $2
RETURNING id, user_id, meeting_id, summary, summary_word_count, key_decisions, action_items, open_questions, key_topics, llm_model, llm_tokens_used, processing_time_seconds, confidence_score, email_sent_at, email_recipients, email_delivery_status, email_error, created_at, updated_at;
