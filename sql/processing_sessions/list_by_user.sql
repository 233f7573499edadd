-- name: list_by_user :page
-- params: user_id, status?, cap, after_created_at?, after_id?, limit, offset
-- not null: total
-- returns: processing_sessions
-- A page of the caller's processing sessions, newest first; $2 optionally filters by
-- status; after the cursor ($4, $5) when given; the total counted up to $3 + 1.
WITH mine AS NOT MATERIALIZED (
    SELECT *
    FROM processing_sessions
    WHERE user_id = $1 AND ($2::text IS NULL OR status = $2)
)
SELECT n.total, p.*
FROM (SELECT count(*) AS total FROM (SELECT 1 FROM mine LIMIT $3 + 1) capped) n
LEFT JOIN LATERAL (
    SELECT * FROM mine
    WHERE (created_at, id) < (coalesce($4::timestamptz, 'infinity'),
                              coalesce($5::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
    ORDER BY created_at DESC, id DESC
    LIMIT $6 OFFSET $7
) p ON true
ORDER BY p.created_at DESC, p.id DESC;
