-- name: get_by_platform_meeting_id :opt
-- params: user_id, platform_meeting_id, platform?
-- The newest meeting with this platform id; $3 optionally names the platform.
SELECT id, user_id, title, description, status, scheduled_at, started_at, ended_at, duration_seconds, platform, platform_meeting_id, meeting_url, transcript, transcript_word_count, transcription_provider, synthesis_provider, processing_time_seconds, error_message, created_at, updated_at
FROM meetings
WHERE user_id = $1 AND platform_meeting_id = $2 AND ($3::text IS NULL OR platform = $3)
ORDER BY created_at DESC, id
LIMIT 1;
