-- name: update :opt
-- params: video_id, user_id, channel_id?, title?, channel_name?, duration_seconds?, upload_date?, description?, tags?, is_favorite?, status?, file_size_bytes?, error_message?, cleared
-- returns: videos
-- A PATCH: NULL leaves a column as it is, and $14 names the (nullable) columns to
-- clear. A status change is checked by the videos_status_transition trigger;
-- error_message is kept only while failed.
UPDATE videos
SET channel_id       = CASE WHEN 'channel_id' = ANY($14::text[]) THEN NULL
                            ELSE coalesce($3, channel_id) END,
    title            = CASE WHEN 'title' = ANY($14::text[]) THEN NULL
                            ELSE coalesce($4, title) END,
    channel_name     = CASE WHEN 'channel_name' = ANY($14::text[]) THEN NULL
                            ELSE coalesce($5, channel_name) END,
    duration_seconds = CASE WHEN 'duration_seconds' = ANY($14::text[]) THEN NULL
                            ELSE coalesce($6, duration_seconds) END,
    upload_date      = CASE WHEN 'upload_date' = ANY($14::text[]) THEN NULL
                            ELSE coalesce($7, upload_date) END,
    description      = CASE WHEN 'description' = ANY($14::text[]) THEN NULL
                            ELSE coalesce($8, description) END,
    tags             = coalesce($9, tags),
    is_favorite      = coalesce($10, is_favorite),
    status           = coalesce($11, status),
    file_size_bytes  = CASE WHEN 'file_size_bytes' = ANY($14::text[]) THEN NULL
                            ELSE coalesce($12, file_size_bytes) END,
    error_message    = CASE WHEN coalesce($11, status) = 'failed'
                                AND NOT 'error_message' = ANY($14::text[])
                            THEN coalesce($13, error_message) END
WHERE id = $1 AND user_id = $2
RETURNING *;
