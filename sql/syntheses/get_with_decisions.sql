-- name: get_with_decisions :many
-- params: user_id, limit, offset
-- struct: Synthesis
SELECT id, user_id, meeting_id, summary, summary_word_count, key_decisions, action_items, open_questions, key_topics, llm_model, llm_tokens_used, processing_time_seconds, confidence_score, email_sent_at, email_recipients, email_delivery_status, email_error, created_at, updated_at
FROM syntheses
WHERE user_id = $1 AND jsonb_array_length(key_decisions) > 0
ORDER BY created_at DESC, id
LIMIT $2 OFFSET $3;
