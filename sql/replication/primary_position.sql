-- name: primary_position :scalar
-- not null: position
-- Where the primary's WAL is now: a replica that has replayed this far holds every
-- transaction committed before this statement, the caller's own writes included.
SELECT pg_current_wal_lsn()::text AS position;
