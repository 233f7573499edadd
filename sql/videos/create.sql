-- name: create :one
-- params: user_id, youtube_video_id
-- A new video of its identity alone (videos.create then writes its details with
-- update.sql, the one statement that names them). A second video with the same
-- YouTube id for the same user is a unique violation.
INSERT INTO videos (user_id, youtube_video_id)
VALUES ($1, $2)
RETURNING *;
