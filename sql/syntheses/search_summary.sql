-- name: search_summary :page
-- params: user_id, query, cap, limit, offset
-- not null: total
-- returns: syntheses
-- struct: Synthesis
-- Full-text over summaries, best first, served by idx_syntheses_summary_search; the
-- total counted up to $3 + 1.
WITH matches AS NOT MATERIALIZED (
    SELECT s.*, ts_rank(to_tsvector('english', s.summary), q.query) AS rank
    FROM syntheses s, websearch_to_tsquery('english', $2) AS q (query)
    WHERE s.user_id = $1 AND to_tsvector('english', s.summary) @@ q.query
)
SELECT n.total, p.id, p.user_id, p.meeting_id, p.summary, p.summary_word_count, p.key_decisions, p.action_items, p.open_questions, p.key_topics, p.llm_model, p.llm_tokens_used, p.processing_time_seconds, p.confidence_score, p.email_sent_at, p.email_recipients, p.email_delivery_status, p.email_error, p.created_at, p.updated_at
FROM (SELECT count(*) AS total FROM (SELECT 1 FROM matches LIMIT $3 + 1) capped) n
LEFT JOIN LATERAL (
    SELECT s.id, s.user_id, s.meeting_id, s.summary, s.summary_word_count, s.key_decisions, s.action_items, s.open_questions, s.key_topics, s.llm_model, s.llm_tokens_used, s.processing_time_seconds, s.confidence_score, s.email_sent_at, s.email_recipients, s.email_delivery_status, s.email_error, s.created_at, s.updated_at, s.rank
    FROM matches s
    ORDER BY s.rank DESC, s.created_at DESC, s.id DESC
    LIMIT $4 OFFSET $5
) p ON true
ORDER BY p.rank DESC, p.created_at DESC, p.id DESC;
