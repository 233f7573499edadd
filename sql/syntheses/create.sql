-- name: create :one
-- params: user_id, meeting_id, summary, key_decisions, action_items, open_questions, key_topics, llm_model?, llm_tokens_used?, processing_time_seconds?, confidence_score?, email_recipients
-- struct: Synthesis
-- A meeting has one synthesis: a second is a unique violation (uq_syntheses_meeting_id).
INSERT INTO syntheses (user_id, meeting_id, summary, key_decisions, action_items,
                       open_questions, key_topics, llm_model, llm_tokens_used,
                       processing_time_seconds, confidence_score, email_recipients)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
RETURNING *;
