-- For `tubebase db apply` and `rollback` (service/tooling/migrations.py): one process at
-- a time; the lock is the session's, released when its connection closes.
SELECT pg_advisory_lock(%s);
