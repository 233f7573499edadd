-- For service/tooling/migrations.py: the SHA-256 of each migration (and its rollback)
-- as applied through tubebase, and yoyo's applied_at_utc for it when it was taken
-- (a column added after the table first shipped, hence the ALTER).
CREATE TABLE IF NOT EXISTS {checksums} (
    migration_id text PRIMARY KEY,
    sha256 text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE {checksums} ADD COLUMN IF NOT EXISTS yoyo_applied_at timestamp;
