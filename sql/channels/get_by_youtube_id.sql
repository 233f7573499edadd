-- name: get_by_youtube_id :opt
-- params: user_id, youtube_channel_id
-- not null: video_count
-- struct: Channel
SELECT c.*,
       (SELECT count(*) FROM videos v WHERE v.channel_id = c.id) AS video_count
FROM channels c
WHERE c.user_id = $1 AND c.youtube_channel_id = $2;
