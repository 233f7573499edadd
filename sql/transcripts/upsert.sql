-- name: upsert :opt
-- params: user_id, video_id, source, language, transcript_text, metadata
-- not null: created
-- struct: Stored
-- Insert, or replace the text and metadata of the same (video, source, language).
-- No row comes back when the video is another user's.
-- xmax = 0 holds only for a row this statement inserted: it tells the two apart.
INSERT INTO transcripts (user_id, video_id, source, language, transcript_text, metadata)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (video_id, source, language) DO UPDATE
SET transcript_text = EXCLUDED.transcript_text,
    metadata        = EXCLUDED.metadata
-- The update path skips the foreign key: never touch another user's row.
WHERE transcripts.user_id = EXCLUDED.user_id
RETURNING id, (xmax = 0) AS created, title, created_at, updated_at;
