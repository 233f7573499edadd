-- name: update :opt
-- params: transcript_id, user_id, source?, language?, title?, metadata?, cleared
-- returns: transcripts, videos
-- struct: Transcript
-- A PATCH: NULL leaves a column as it is, and $7 names the (nullable) columns to
-- clear. A (source, language) already taken for this video is a unique violation
-- of uq_transcripts_video_source_language. The video's YouTube id comes along
-- for the answer; the text does not change, so chunks stay as they are.
WITH updated AS (
    UPDATE transcripts
    SET source   = coalesce($3, source),
        language = coalesce($4, language),
        title    = CASE WHEN 'title' = ANY($7::text[]) THEN NULL ELSE coalesce($5, title) END,
        metadata = coalesce($6, metadata)
    WHERE id = $1 AND user_id = $2
    RETURNING id, user_id, video_id, source, language, title, transcript_text, metadata,
              chunk_count, created_at, updated_at
)
SELECT u.id, u.user_id, u.video_id, v.youtube_video_id, u.source, u.language, u.title,
       u.transcript_text, u.metadata, u.chunk_count, u.created_at, u.updated_at
FROM updated u
JOIN videos v ON v.id = u.video_id;
