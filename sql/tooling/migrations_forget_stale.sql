-- For service/tooling/migrations.py: drops the checksums of migrations that plain
-- yoyo rolled back since (the condition is migrations_current.sql).
DELETE FROM {checksums} c WHERE NOT {current};
