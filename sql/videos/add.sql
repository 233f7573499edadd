-- name: add :opt
-- params: user_id, channel_id?, youtube_video_id, title?, channel_name?, duration_seconds?, upload_date?, description?, tags?, is_favorite?
-- not null: created
-- returns: videos
-- Idempotent add by YouTube id: the existing video when the user has it already,
-- else a new one; the last column says which.
WITH inserted AS (
    INSERT INTO videos (user_id, channel_id, youtube_video_id, title, channel_name,
                        duration_seconds, upload_date, description, tags, is_favorite)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, '{}'::text[]),
            coalesce($10, false))
    ON CONFLICT (user_id, youtube_video_id) DO NOTHING
    RETURNING *
)
SELECT *, true AS created FROM inserted
UNION ALL
SELECT *, false AS created
FROM videos
WHERE user_id = $1 AND youtube_video_id = $3 AND NOT EXISTS (SELECT 1 FROM inserted);
