-- name: get_by_meeting_id :opt
-- params: meeting_id, user_id
-- struct: Synthesis
SELECT id, user_id, meeting_id, summary, summary_word_count, key_decisions, action_items, open_questions, key_topics, llm_model, llm_tokens_used, processing_time_seconds, confidence_score, email_sent_at, email_recipients, email_delivery_status, email_error, created_at, updated_at
FROM syntheses
WHERE meeting_id = $1 AND user_id = $2;
