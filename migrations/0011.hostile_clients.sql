-- depends: 0010.retrieval_at_scale
-- Accounts that hold up against hostile clients: usernames unique whatever their
-- case, failed logins recorded on the user, and login throttling whose state lives
-- here (so every service process sees the same).

-- `ada`, `ADA` and `Ada` are one user. Existing look-alikes must be renamed first;
-- the migration names them instead of failing on an index error.
DO $$
DECLARE
    clashes text;
BEGIN
    SELECT string_agg(names, '; ' ORDER BY names) INTO clashes
    FROM (
        SELECT string_agg(username, ', ' ORDER BY username) AS names
        FROM users
        GROUP BY lower(username)
        HAVING count(*) > 1
    ) same;
    IF clashes IS NOT NULL THEN
        RAISE EXCEPTION 'usernames that differ only in case: %', clashes
            USING HINT = 'rename all but one of each group (UPDATE users SET username = ...), '
                         'then apply this migration again';
    END IF;
END;
$$;
ALTER TABLE users DROP CONSTRAINT idx_users_username;
CREATE UNIQUE INDEX idx_users_username ON users (lower(username));

-- Failed logins in the current window, the last one, and how long logins to the
-- account wait (set once a handful failed; doubles with each further failure).
ALTER TABLE users
    ADD COLUMN failed_login_count integer NOT NULL DEFAULT 0,
    ADD COLUMN last_failed_login_at timestamptz,
    ADD COLUMN login_locked_until timestamptz,
    ADD CONSTRAINT users_failed_login_count_not_negative CHECK (failed_login_count >= 0);

-- The same for what is not a user: a login name that matches no account (so that an
-- unknown name is throttled exactly like a known one and reveals nothing), and a
-- client address (whose much higher threshold catches password spraying).
CREATE TABLE login_throttle (
    key             text        PRIMARY KEY,
    failures        integer     NOT NULL,
    last_failure_at timestamptz NOT NULL,
    locked_until    timestamptz,
    CONSTRAINT login_throttle_key_format CHECK (key ~ '^(login|address):'),
    CONSTRAINT login_throttle_failures_positive CHECK (failures > 0)
);
CREATE INDEX idx_login_throttle_last_failure ON login_throttle (last_failure_at);
