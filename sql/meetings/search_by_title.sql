-- Full-text over titles (case-insensitive, stemmed: "plan" finds "Planning"), best
-- first; served by idx_meetings_title_search.
SELECT m.id, m.user_id, m.title, m.description, m.status, m.scheduled_at, m.started_at, m.ended_at, m.duration_seconds, m.platform, m.platform_meeting_id, m.meeting_url, m.transcript, m.transcript_word_count, m.transcription_provider, m.synthesis_provider, m.processing_time_seconds, m.error_message, m.created_at, m.updated_at
FROM meetings m, websearch_to_tsquery('english', $2) AS q (query)
WHERE m.user_id = $1 AND to_tsvector('english', m.title) @@ q.query
ORDER BY ts_rank(to_tsvector('english', m.title), q.query) DESC, m.created_at DESC, m.id
LIMIT $3 OFFSET $4;
