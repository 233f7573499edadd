-- name: add :opt
-- params: user_id, youtube_video_id
-- not null: created
-- returns: videos
-- Idempotent add by YouTube id: the existing video when the user has it already,
-- else a new one of its identity alone (videos.add then writes its details with
-- update.sql); the last column says which.
WITH inserted AS (
    INSERT INTO videos (user_id, youtube_video_id)
    VALUES ($1, $2)
    ON CONFLICT (user_id, youtube_video_id) DO NOTHING
    RETURNING *
)
SELECT *, true AS created FROM inserted
UNION ALL
SELECT *, false AS created
FROM videos
WHERE user_id = $1 AND youtube_video_id = $2 AND NOT EXISTS (SELECT 1 FROM inserted);
