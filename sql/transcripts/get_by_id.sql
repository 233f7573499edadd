-- name: get_by_id :opt
-- params: transcript_id, user_id
-- struct: Transcript
SELECT t.id, t.user_id, t.video_id, v.youtube_video_id, t.source, t.language, t.title,
       t.transcript_text, t.metadata, t.chunk_count, t.created_at, t.updated_at
FROM transcripts t
JOIN videos v ON v.id = t.video_id
WHERE t.id = $1 AND t.user_id = $2;
