-- name: create :one
-- params: user_id, channel_id?, youtube_video_id, title?, channel_name?, duration_seconds?, upload_date?, description?, tags?, is_favorite?
-- A second video with the same YouTube id for the same user is a unique violation.
INSERT INTO videos (user_id, channel_id, youtube_video_id, title, channel_name,
                    duration_seconds, upload_date, description, tags, is_favorite)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9, '{}'::text[]), coalesce($10, false))
RETURNING *;
