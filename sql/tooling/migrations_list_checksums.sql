-- For `tubebase db check` (service/tooling/migrations.py): the checksums of the
-- migrations still applied as they were when recorded. to_jsonb(t): the row as it is,
-- with or without the column added later.
SELECT c.migration_id, c.sha256
FROM (SELECT migration_id, sha256, (to_jsonb(t) ->> 'yoyo_applied_at')::timestamp AS yoyo_applied_at
      FROM {checksums} t) c
WHERE {current};
