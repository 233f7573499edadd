-- Full-text over summaries, best first; served by idx_syntheses_summary_search.
SELECT s.id, s.user_id, s.meeting_id, s.summary, s.summary_word_count, s.key_decisions, s.action_items, s.open_questions, s.key_topics, s.llm_model, s.llm_tokens_used, s.processing_time_seconds, s.confidence_score, s.email_sent_at, s.email_recipients, s.email_delivery_status, s.email_error, s.created_at, s.updated_at
FROM syntheses s, websearch_to_tsquery('english', $2) AS q (query)
WHERE s.user_id = $1 AND to_tsvector('english', s.summary) @@ q.query
ORDER BY ts_rank(to_tsvector('english', s.summary), q.query) DESC, s.created_at DESC, s.id
LIMIT $3 OFFSET $4;
