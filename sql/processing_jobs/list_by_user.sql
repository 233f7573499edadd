-- name: list_by_user :page
-- params: user_id, status?, job_type?, session_id?, cap, after_created_at?, after_id?, limit, offset
-- not null: total
-- returns: processing_jobs
-- struct: Job
-- A page of the caller's jobs, newest first; each filter is optional (a filter
-- narrows the walk of idx_processing_jobs_user_created: the generic plan stays that
-- index scan); after the cursor ($6, $7) when given; the total counted up to $5 + 1.
WITH mine AS NOT MATERIALIZED (
    SELECT *
    FROM processing_jobs
    WHERE user_id = $1
      AND ($2::text IS NULL OR status = $2)
      AND ($3::text IS NULL OR job_type = $3)
      AND ($4::uuid IS NULL OR session_id = $4)
)
SELECT n.total, p.*
FROM (SELECT count(*) AS total FROM (SELECT 1 FROM mine LIMIT $5 + 1) capped) n
LEFT JOIN LATERAL (
    SELECT * FROM mine
    WHERE (created_at, id) < (coalesce($6::timestamptz, 'infinity'),
                              coalesce($7::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
    ORDER BY created_at DESC, id DESC
    LIMIT $8 OFFSET $9
) p ON true
ORDER BY p.created_at DESC, p.id DESC;
