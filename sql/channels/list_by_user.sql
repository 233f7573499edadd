-- name: list_by_user :page
-- params: user_id, status?, cap, after_created_at?, after_id?, limit, offset
-- not null: total, video_count
-- returns: channels
-- struct: Channel
-- A page of the caller's channels, newest first, each with its number of videos;
-- $2 optionally filters by status; after the cursor ($4, $5) when given; the total
-- counted up to $3 + 1.
WITH mine AS NOT MATERIALIZED (
    SELECT * FROM channels WHERE user_id = $1 AND ($2::text IS NULL OR status = $2)
)
SELECT n.total, p.*
FROM (SELECT count(*) AS total FROM (SELECT 1 FROM mine LIMIT $3 + 1) capped) n
LEFT JOIN LATERAL (
    SELECT c.id, c.user_id, c.youtube_channel_id, c.name, c.description, c.status,
           c.metadata, c.processing_config, c.created_at, c.updated_at,
           (SELECT count(*) FROM videos v WHERE v.channel_id = c.id) AS video_count
    FROM mine c
    WHERE (c.created_at, c.id) < (coalesce($4::timestamptz, 'infinity'),
                                  coalesce($5::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
    ORDER BY c.created_at DESC, c.id DESC
    LIMIT $6 OFFSET $7
) p ON true
ORDER BY p.created_at DESC, p.id DESC;
