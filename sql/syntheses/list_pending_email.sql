-- name: list_pending_email :page
-- params: user_id, cap, after_created_at?, after_id?, limit, offset
-- not null: total
-- returns: syntheses
-- struct: Synthesis
-- The e-mail queue: a page of the caller's syntheses not sent yet (pending, or failed
-- and due a retry), oldest first (idx_syntheses_pending_email), after the cursor
-- ($3, $4) when given; the total counted up to $2 + 1.
WITH pending AS NOT MATERIALIZED (
    SELECT *
    FROM syntheses
    WHERE user_id = $1 AND email_sent_at IS NULL
)
SELECT n.total, p.*
FROM (SELECT count(*) AS total FROM (SELECT 1 FROM pending LIMIT $2 + 1) capped) n
LEFT JOIN LATERAL (
    SELECT * FROM pending
    WHERE (created_at, id) > (coalesce($3::timestamptz, '-infinity'),
                              coalesce($4::uuid, '00000000-0000-0000-0000-000000000000'))
    ORDER BY created_at, id
    LIMIT $5 OFFSET $6
) p ON true
ORDER BY p.created_at, p.id;
