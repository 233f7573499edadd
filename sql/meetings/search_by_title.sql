-- name: search_by_title :page
-- params: user_id, query, cap, limit, offset
-- not null: total
-- returns: meetings
-- Full-text over titles (case-insensitive, stemmed: "plan" finds "Planning"), best
-- first, served by idx_meetings_title_search; the total counted up to $3 + 1.
WITH matches AS NOT MATERIALIZED (
    SELECT m.*, ts_rank(to_tsvector('english', m.title), q.query) AS rank
    FROM meetings m, websearch_to_tsquery('english', $2) AS q (query)
    WHERE m.user_id = $1 AND to_tsvector('english', m.title) @@ q.query
)
SELECT n.total, p.id, p.user_id, p.title, p.description, p.status, p.scheduled_at, p.started_at, p.ended_at, p.duration_seconds, p.platform, p.platform_meeting_id, p.meeting_url, p.transcript, p.transcript_word_count, p.transcription_provider, p.synthesis_provider, p.processing_time_seconds, p.error_message, p.created_at, p.updated_at
FROM (SELECT count(*) AS total FROM (SELECT 1 FROM matches LIMIT $3 + 1) capped) n
LEFT JOIN LATERAL (
    SELECT m.id, m.user_id, m.title, m.description, m.status, m.scheduled_at, m.started_at, m.ended_at, m.duration_seconds, m.platform, m.platform_meeting_id, m.meeting_url, m.transcript, m.transcript_word_count, m.transcription_provider, m.synthesis_provider, m.processing_time_seconds, m.error_message, m.created_at, m.updated_at, m.rank
    FROM matches m
    ORDER BY m.rank DESC, m.created_at DESC, m.id DESC
    LIMIT $4 OFFSET $5
) p ON true
ORDER BY p.rank DESC, p.created_at DESC, p.id DESC;
