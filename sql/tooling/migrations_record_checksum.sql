-- For service/tooling/migrations.py: a migration's checksum, as soon as it is applied.
-- Bound: migration_id, sha256, migration_id.
INSERT INTO {checksums} (migration_id, sha256, yoyo_applied_at)
VALUES (%s, %s, (SELECT max(applied_at_utc) FROM {yoyo} WHERE migration_id = %s))
ON CONFLICT (migration_id) DO UPDATE
SET sha256 = EXCLUDED.sha256, yoyo_applied_at = EXCLUDED.yoyo_applied_at, applied_at = now();
