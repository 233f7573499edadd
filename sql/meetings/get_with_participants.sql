-- The meeting and its participants (as a JSON array, in the order they were added) in one query.
SELECT m.id, m.user_id, m.title, m.description, m.status, m.scheduled_at, m.started_at, m.ended_at, m.duration_seconds, m.platform, m.platform_meeting_id, m.meeting_url, m.transcript, m.transcript_word_count, m.transcription_provider, m.synthesis_provider, m.processing_time_seconds, m.error_message, m.created_at, m.updated_at,
       coalesce((
           SELECT jsonb_agg(jsonb_build_object(
                      'id', p.id, 'meeting_id', p.meeting_id, 'name', p.name, 'email', p.email,
                      'is_organizer', p.is_organizer, 'created_at', p.created_at,
                      'updated_at', p.updated_at)
                  ORDER BY p.position)
           FROM participants p
           WHERE p.meeting_id = m.id
       ), '[]'::jsonb) AS participants
FROM meetings m
WHERE m.id = $1 AND m.user_id = $2;
