-- name: mark_email_failed :opt
-- params: meeting_id, user_id, error
-- struct: Synthesis
UPDATE syntheses
SET email_delivery_status = 'failed',
    email_sent_at         = NULL,
    email_error           = $3
WHERE meeting_id = $1 AND user_id = $2
RETURNING id, user_id, meeting_id, summary, summary_word_count, key_decisions, action_items, open_questions, key_topics, llm_model, llm_tokens_used, processing_time_seconds, confidence_score, email_sent_at, email_recipients, email_delivery_status, email_error, created_at, updated_at;
