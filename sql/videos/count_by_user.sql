-- name: count_by_user :scalar
-- params: user_id, status?, channel_id?, is_favorite?, tag?
-- not null: count
SELECT count(*)
FROM videos
WHERE user_id = $1
  AND ($2::text IS NULL OR status = $2)
  AND ($3::uuid IS NULL OR channel_id = $3)
  AND ($4::boolean IS NULL OR is_favorite = $4)
  AND ($5::text IS NULL OR tags @> ARRAY[$5::text]);
