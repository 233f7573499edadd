-- name: count_applied :scalar
-- params: migration_ids
-- not null: count
-- How many of these migrations yoyo has applied to this database.
SELECT count(*) FROM _yoyo_migration WHERE migration_id = ANY($1::text[]);
