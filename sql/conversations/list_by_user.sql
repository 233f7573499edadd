-- name: list_by_user :page
-- params: user_id, cap, after_updated_at?, after_id?, limit, offset
-- not null: total
-- returns: conversations
-- A page of the caller's conversations, most recently active first (a new message
-- bumps updated_at), after the cursor ($3, $4) when given; the total counted up to
-- $2 + 1. A conversation that gets a message moves to the front, so cursor pages
-- follow activity: it may show up again on an earlier page, not on a later one.
WITH mine AS NOT MATERIALIZED (
    SELECT *
    FROM conversations
    WHERE user_id = $1
)
SELECT n.total, p.*
FROM (SELECT count(*) AS total FROM (SELECT 1 FROM mine LIMIT $2 + 1) capped) n
LEFT JOIN LATERAL (
    SELECT * FROM mine
    WHERE (updated_at, id) < (coalesce($3::timestamptz, 'infinity'),
                              coalesce($4::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
    ORDER BY updated_at DESC, id DESC
    LIMIT $5 OFFSET $6
) p ON true
ORDER BY p.updated_at DESC, p.id DESC;
