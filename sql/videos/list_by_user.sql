-- name: list_by_user :page
-- params: user_id, status?, channel_id?, is_favorite?, tag?, cap, after_created_at?, after_id?, limit, offset
-- not null: total
-- returns: videos
-- A page of the caller's videos, newest first; each filter is optional (a filter
-- narrows the walk of idx_videos_user_created: the generic plan stays that index
-- scan); after the cursor ($7, $8) when given; the total counted up to $6 + 1.
WITH mine AS NOT MATERIALIZED (
    SELECT *
    FROM videos
    WHERE user_id = $1
      AND ($2::text IS NULL OR status = $2)
      AND ($3::uuid IS NULL OR channel_id = $3)
      AND ($4::boolean IS NULL OR is_favorite = $4)
      AND ($5::text IS NULL OR tags @> ARRAY[$5::text])
)
SELECT n.total, p.*
FROM (SELECT count(*) AS total FROM (SELECT 1 FROM mine LIMIT $6 + 1) capped) n
LEFT JOIN LATERAL (
    SELECT * FROM mine
    WHERE (created_at, id) < (coalesce($7::timestamptz, 'infinity'),
                              coalesce($8::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
    ORDER BY created_at DESC, id DESC
    LIMIT $9 OFFSET $10
) p ON true
ORDER BY p.created_at DESC, p.id DESC;
