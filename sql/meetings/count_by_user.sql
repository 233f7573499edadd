-- name: count_by_user :scalar
-- params: user_id, status?, platform?
-- not null: count
SELECT count(*)
FROM meetings
WHERE user_id = $1
  AND ($2::text IS NULL OR status = $2)
  AND ($3::text IS NULL OR platform = $3);
