-- name: count :scalar
-- not null: count
SELECT count(*) FROM config;
