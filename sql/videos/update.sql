-- NULL leaves a column as it is. A status change is checked by the
-- videos_status_transition trigger; error_message is kept only while failed.
UPDATE videos
SET channel_id       = coalesce($3, channel_id),
    title            = coalesce($4, title),
    channel_name     = coalesce($5, channel_name),
    duration_seconds = coalesce($6, duration_seconds),
    upload_date      = coalesce($7, upload_date),
    description      = coalesce($8, description),
    tags             = coalesce($9, tags),
    is_favorite      = coalesce($10, is_favorite),
    status           = coalesce($11, status),
    file_size_bytes  = coalesce($12, file_size_bytes),
    error_message    = CASE WHEN coalesce($11, status) = 'failed'
                            THEN coalesce($13, error_message) END
WHERE id = $1 AND user_id = $2
RETURNING id, user_id, channel_id, youtube_video_id, title, channel_name, duration_seconds, upload_date, description, tags, is_favorite, status, file_size_bytes, error_message, created_at, updated_at;
