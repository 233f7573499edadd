-- A checksum row c describes what is applied when yoyo marks its migration applied at
-- the time recorded with it (rows written before that column existed: when yoyo marks
-- it applied at all).
EXISTS (SELECT 1 FROM {yoyo} y WHERE y.migration_id = c.migration_id
        AND (c.yoyo_applied_at IS NULL OR c.yoyo_applied_at = y.applied_at_utc))
