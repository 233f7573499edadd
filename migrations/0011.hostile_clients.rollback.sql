DROP TABLE login_throttle;
ALTER TABLE users
    DROP CONSTRAINT users_failed_login_count_not_negative,
    DROP COLUMN login_locked_until,
    DROP COLUMN last_failed_login_at,
    DROP COLUMN failed_login_count;
DROP INDEX idx_users_username;
ALTER TABLE users ADD CONSTRAINT idx_users_username UNIQUE (username);
