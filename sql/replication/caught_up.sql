-- name: caught_up :scalar
-- params: position
-- not null: caught_up
-- Whether this server has replayed the primary's WAL up to $1. On a primary (no
-- replay position) it is its own WAL: COALESCE evaluates the second argument only
-- when the first is NULL, and pg_current_wal_lsn() fails on a replica.
SELECT coalesce(pg_last_wal_replay_lsn(), pg_current_wal_lsn()) >= $1::text::pg_lsn AS caught_up;
