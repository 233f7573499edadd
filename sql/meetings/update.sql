-- NULL leaves a column as it is. A status change is checked by the
-- meetings_status_transition trigger.
UPDATE meetings
SET title                   = coalesce($3, title),
    description             = coalesce($4, description),
    status                  = coalesce($5, status),
    scheduled_at            = coalesce($6, scheduled_at),
    started_at              = coalesce($7, started_at),
    ended_at                = coalesce($8, ended_at),
    platform                = coalesce($9, platform),
    platform_meeting_id     = coalesce($10, platform_meeting_id),
    meeting_url             = coalesce($11, meeting_url),
    transcript              = coalesce($12, transcript),
    transcription_provider  = coalesce($13, transcription_provider),
    synthesis_provider      = coalesce($14, synthesis_provider),
    processing_time_seconds = coalesce($15, processing_time_seconds),
    error_message           = coalesce($16, error_message)
WHERE id = $1 AND user_id = $2
RETURNING id, user_id, title, description, status, scheduled_at, started_at, ended_at, duration_seconds, platform, platform_meeting_id, meeting_url, transcript, transcript_word_count, transcription_provider, synthesis_provider, processing_time_seconds, error_message, created_at, updated_at;
