-- Newest first, id breaking ties so pages never overlap; each filter is optional.
SELECT id, user_id, channel_id, youtube_video_id, title, channel_name, duration_seconds, upload_date, description, tags, is_favorite, status, file_size_bytes, error_message, created_at, updated_at
FROM videos
WHERE user_id = $1
  AND ($2::text IS NULL OR status = $2)
  AND ($3::uuid IS NULL OR channel_id = $3)
  AND ($4::boolean IS NULL OR is_favorite = $4)
  AND ($5::text IS NULL OR tags @> ARRAY[$5::text])
ORDER BY created_at DESC, id
LIMIT $6 OFFSET $7;
