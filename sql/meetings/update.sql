-- name: update :opt
-- params: meeting_id, user_id, title?, description?, status?, scheduled_at?, started_at?, ended_at?, platform?, platform_meeting_id?, meeting_url?, transcript?, transcription_provider?, synthesis_provider?, processing_time_seconds?, error_message?, cleared
-- A PATCH: NULL leaves a column as it is, and $17 names the (nullable) columns to
-- clear. A status change is checked by the meetings_status_transition trigger.
UPDATE meetings
SET title                   = coalesce($3, title),
    description             = CASE WHEN 'description' = ANY($17::text[]) THEN NULL
                                   ELSE coalesce($4, description) END,
    status                  = coalesce($5, status),
    scheduled_at            = CASE WHEN 'scheduled_at' = ANY($17::text[]) THEN NULL
                                   ELSE coalesce($6, scheduled_at) END,
    started_at              = CASE WHEN 'started_at' = ANY($17::text[]) THEN NULL
                                   ELSE coalesce($7, started_at) END,
    ended_at                = CASE WHEN 'ended_at' = ANY($17::text[]) THEN NULL
                                   ELSE coalesce($8, ended_at) END,
    platform                = CASE WHEN 'platform' = ANY($17::text[]) THEN NULL
                                   ELSE coalesce($9, platform) END,
    platform_meeting_id     = CASE WHEN 'platform_meeting_id' = ANY($17::text[]) THEN NULL
                                   ELSE coalesce($10, platform_meeting_id) END,
    meeting_url             = CASE WHEN 'meeting_url' = ANY($17::text[]) THEN NULL
                                   ELSE coalesce($11, meeting_url) END,
    transcript              = CASE WHEN 'transcript' = ANY($17::text[]) THEN NULL
                                   ELSE coalesce($12, transcript) END,
    transcription_provider  = CASE WHEN 'transcription_provider' = ANY($17::text[]) THEN NULL
                                   ELSE coalesce($13, transcription_provider) END,
    synthesis_provider      = CASE WHEN 'synthesis_provider' = ANY($17::text[]) THEN NULL
                                   ELSE coalesce($14, synthesis_provider) END,
    processing_time_seconds = CASE WHEN 'processing_time_seconds' = ANY($17::text[]) THEN NULL
                                   ELSE coalesce($15, processing_time_seconds) END,
    error_message           = CASE WHEN 'error_message' = ANY($17::text[]) THEN NULL
                                   ELSE coalesce($16, error_message) END
WHERE id = $1 AND user_id = $2
RETURNING *;
