-- Without the text (it can be long); newest first. $2 and $3 optionally narrow to a
-- video, by id or by YouTube id.
SELECT t.id, t.user_id, t.video_id, v.youtube_video_id, t.source, t.language, t.metadata,
       length(t.transcript_text) AS char_count,
       (SELECT count(*) FROM chunks c WHERE c.transcript_id = t.id) AS chunk_count,
       t.created_at, t.updated_at
FROM transcripts t
JOIN videos v ON v.id = t.video_id
WHERE t.user_id = $1
  AND ($2::uuid IS NULL OR t.video_id = $2)
  AND ($3::text IS NULL OR v.youtube_video_id = $3)
ORDER BY t.created_at DESC, t.id
LIMIT $4 OFFSET $5;
