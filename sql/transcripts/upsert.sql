-- Insert, or replace the text and metadata of the same (video, source, language).
-- xmax = 0 holds only for a row this statement inserted: it tells the two apart.
INSERT INTO transcripts (user_id, video_id, source, language, transcript_text, metadata)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (video_id, source, language) DO UPDATE
SET transcript_text = EXCLUDED.transcript_text,
    metadata        = EXCLUDED.metadata
RETURNING id, (xmax = 0) AS created;
