-- name: list_by_user :page
-- params: user_id, video_id?, youtube_video_id?, cap, after_created_at?, after_id?, limit, offset
-- not null: total, char_count
-- returns: transcripts, videos
-- struct: TranscriptSummary
-- A page of the caller's transcripts without their text (it can be long), newest
-- first; $2 and $3 optionally narrow to a video, by id or by YouTube id; after the
-- cursor ($5, $6) when given; the total counted up to $4 + 1.
WITH mine AS NOT MATERIALIZED (
    SELECT t.id, t.user_id, t.video_id, v.youtube_video_id, t.source, t.language, t.title,
           t.metadata,
           length(t.transcript_text) AS char_count, t.chunk_count, t.created_at, t.updated_at
    FROM transcripts t
    JOIN videos v ON v.id = t.video_id
    WHERE t.user_id = $1
      AND ($2::uuid IS NULL OR t.video_id = $2)
      AND ($3::text IS NULL OR v.youtube_video_id = $3)
)
SELECT n.total, p.*
FROM (SELECT count(*) AS total FROM (SELECT 1 FROM mine LIMIT $4 + 1) capped) n
LEFT JOIN LATERAL (
    SELECT * FROM mine
    WHERE (created_at, id) < (coalesce($5::timestamptz, 'infinity'),
                              coalesce($6::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'))
    ORDER BY created_at DESC, id DESC
    LIMIT $7 OFFSET $8
) p ON true
ORDER BY p.created_at DESC, p.id DESC;
