-- name: count_by_user :scalar
-- params: user_id, video_id?, youtube_video_id?
-- not null: count
SELECT count(*)
FROM transcripts t
JOIN videos v ON v.id = t.video_id
WHERE t.user_id = $1
  AND ($2::uuid IS NULL OR t.video_id = $2)
  AND ($3::text IS NULL OR v.youtube_video_id = $3);
