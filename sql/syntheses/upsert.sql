-- name: upsert :opt
-- params: user_id, meeting_id, summary, key_decisions, action_items, open_questions, key_topics, llm_model?, llm_tokens_used?, processing_time_seconds?, confidence_score?, email_recipients
-- not null: created
-- struct: Synthesis
-- One synthesis per meeting: create it, or replace it whole. A replaced synthesis has
-- not been e-mailed yet, so its delivery starts over. The update path skips the
-- foreign key, hence the user check; no row comes back for another user's meeting.
INSERT INTO syntheses (user_id, meeting_id, summary, key_decisions, action_items,
                       open_questions, key_topics, llm_model, llm_tokens_used,
                       processing_time_seconds, confidence_score, email_recipients)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (meeting_id) DO UPDATE
SET summary                 = EXCLUDED.summary,
    key_decisions           = EXCLUDED.key_decisions,
    action_items            = EXCLUDED.action_items,
    open_questions          = EXCLUDED.open_questions,
    key_topics              = EXCLUDED.key_topics,
    llm_model               = EXCLUDED.llm_model,
    llm_tokens_used         = EXCLUDED.llm_tokens_used,
    processing_time_seconds = EXCLUDED.processing_time_seconds,
    confidence_score        = EXCLUDED.confidence_score,
    email_recipients        = EXCLUDED.email_recipients,
    email_delivery_status   = 'pending',
    email_sent_at           = NULL,
    email_error             = NULL
WHERE syntheses.user_id = EXCLUDED.user_id
RETURNING *, (xmax = 0) AS created;
