-- name: get_recent :many
-- params: user_id, limit
SELECT id, user_id, title, description, status, scheduled_at, started_at, ended_at, duration_seconds, platform, platform_meeting_id, meeting_url, transcript, transcript_word_count, transcription_provider, synthesis_provider, processing_time_seconds, error_message, created_at, updated_at
FROM meetings
WHERE user_id = $1
ORDER BY created_at DESC, id
LIMIT $2;
