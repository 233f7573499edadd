-- name: update :opt
-- params: channel_id, user_id, name?, description?, status?, metadata?, processing_config?, cleared
-- not null: video_count
-- struct: Channel
-- A PATCH: NULL leaves a column as it is, and $8 names the nullable columns to clear.
UPDATE channels AS c
SET name              = coalesce($3, c.name),
    description       = CASE WHEN 'description' = ANY($8::text[]) THEN NULL
                             ELSE coalesce($4, description) END,
    status            = coalesce($5, c.status),
    metadata          = coalesce($6, c.metadata),
    processing_config = coalesce($7, c.processing_config)
WHERE c.id = $1 AND c.user_id = $2
RETURNING c.*,
          (SELECT count(*) FROM videos v WHERE v.channel_id = c.id) AS video_count;
