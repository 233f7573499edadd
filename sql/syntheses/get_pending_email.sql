-- The e-mail queue: not sent yet (pending, or failed and due a retry), oldest first
-- (idx_syntheses_pending_email).
SELECT id, user_id, meeting_id, summary, summary_word_count, key_decisions, action_items, open_questions, key_topics, llm_model, llm_tokens_used, processing_time_seconds, confidence_score, email_sent_at, email_recipients, email_delivery_status, email_error, created_at, updated_at
FROM syntheses
WHERE user_id = $1 AND email_sent_at IS NULL
ORDER BY created_at, id
LIMIT $2 OFFSET $3;
