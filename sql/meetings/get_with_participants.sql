-- The meeting and its participants (an array of rows with the columns of
-- participants/get_by_id, in the order they were added) in one query.
SELECT m.id, m.user_id, m.title, m.description, m.status, m.scheduled_at, m.started_at, m.ended_at, m.duration_seconds, m.platform, m.platform_meeting_id, m.meeting_url, m.transcript, m.transcript_word_count, m.transcription_provider, m.synthesis_provider, m.processing_time_seconds, m.error_message, m.created_at, m.updated_at,
       ARRAY(
           SELECT ROW(p.id, p.user_id, p.meeting_id, p.name, p.email, p.is_organizer,
                      p.created_at, p.updated_at)
           FROM participants p
           WHERE p.meeting_id = m.id
           ORDER BY p.position
       ) AS participants
FROM meetings m
WHERE m.id = $1 AND m.user_id = $2;
