-- name: get_by_id :opt
-- params: channel_id, user_id
-- not null: video_count
-- struct: Channel
SELECT c.*,
       (SELECT count(*) FROM videos v WHERE v.channel_id = c.id) AS video_count
FROM channels c
WHERE c.id = $1 AND c.user_id = $2;
