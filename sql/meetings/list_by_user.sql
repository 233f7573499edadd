-- name: list_by_user :page
-- params: user_id, status?, platform?, cap, after_created_at?, after_id?, limit, offset
-- not null: total
-- returns: meetings
-- get_all: a page of the caller's meetings, newest first; status and platform
-- optionally filter; after the cursor ($5, $6) when given; the total counted up to
-- $4 + 1.
WITH mine AS NOT MATERIALIZED (
    SELECT *
    FROM meetings
    WHERE user_id = $1
      AND ($2::text IS NULL OR status = $2)
      AND ($3::text IS NULL OR platform = $3)
)
SELECT n.total, p.*
FROM (SELECT count(*) AS total FROM (SELECT 1 FROM mine LIMIT $4 + 1) capped) n
LEFT JOIN LATERAL (
    SELECT * FROM mine
    WHERE (created_at, id) < (coalesce($5::timestamptz, 'infinity'),
                              coalesce($6::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
    ORDER BY created_at DESC, id DESC
    LIMIT $7 OFFSET $8
) p ON true
ORDER BY p.created_at DESC, p.id DESC;
