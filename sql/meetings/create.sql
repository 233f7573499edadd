-- name: create :one
-- params: user_id, title, description?, status?, scheduled_at?, started_at?, ended_at?, platform?, platform_meeting_id?, meeting_url?, transcript?, transcription_provider?, synthesis_provider?, processing_time_seconds?, error_message?
-- duration_seconds and transcript_word_count are computed by the database.
INSERT INTO meetings (user_id, title, description, status, scheduled_at, started_at, ended_at,
                      platform, platform_meeting_id, meeting_url, transcript,
                      transcription_provider, synthesis_provider, processing_time_seconds,
                      error_message)
VALUES ($1, $2, $3, coalesce($4, 'pending'), $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
RETURNING *;
