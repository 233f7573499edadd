-- name: record_failure :scalar
-- params: user_id|null, login, address, account_failures, window_seconds, max_wait_seconds
-- not null: wait_seconds
-- A failed login: counted on the account $1 (or, when no account has that login, on
-- the login name $2), and on the client address $3. Failures older than the window
-- ($5 seconds) are forgotten. From the $4th failure on, logins to the account wait
-- 1 s, then 2, 4, … up to $6 seconds. Returns how long the account now waits.
WITH account AS (
    -- One UPDATE reading the row it changes: concurrent failures each count.
    UPDATE users
       SET failed_login_count = CASE WHEN last_failed_login_at > now() - $5 * interval '1 second'
                                     THEN failed_login_count + 1 ELSE 1 END,
           last_failed_login_at = now(),
           login_locked_until = now() + CASE
               WHEN (CASE WHEN last_failed_login_at > now() - $5 * interval '1 second'
                          THEN failed_login_count + 1 ELSE 1 END) >= $4
               THEN least(power(2, (CASE WHEN last_failed_login_at > now() - $5 * interval '1 second'
                                         THEN failed_login_count + 1 ELSE 1 END) - $4), $6)
                    * interval '1 second'
           END
     WHERE id = $1
    RETURNING login_locked_until AS locked_until
),
unknown AS (
    INSERT INTO login_throttle AS t (key, failures, last_failure_at, locked_until)
    SELECT 'login:' || lower($2), 1, now(),
           now() + CASE WHEN 1 >= $4 THEN least(power(2, 1 - $4), $6) * interval '1 second' END
    WHERE $1::uuid IS NULL
    ON CONFLICT (key) DO UPDATE
       SET failures = CASE WHEN t.last_failure_at > now() - $5 * interval '1 second'
                           THEN t.failures + 1 ELSE 1 END,
           last_failure_at = now(),
           locked_until = now() + CASE
               WHEN (CASE WHEN t.last_failure_at > now() - $5 * interval '1 second'
                          THEN t.failures + 1 ELSE 1 END) >= $4
               THEN least(power(2, (CASE WHEN t.last_failure_at > now() - $5 * interval '1 second'
                                         THEN t.failures + 1 ELSE 1 END) - $4), $6)
                    * interval '1 second'
           END
    RETURNING t.locked_until
),
address AS (
    INSERT INTO login_throttle AS t (key, failures, last_failure_at)
    VALUES ('address:' || $3, 1, now())
    ON CONFLICT (key) DO UPDATE
       SET failures = CASE WHEN t.last_failure_at > now() - $5 * interval '1 second'
                           THEN t.failures + 1 ELSE 1 END,
           last_failure_at = now()
    RETURNING t.failures
)
SELECT ceil(greatest(extract(epoch FROM coalesce(
           (SELECT locked_until FROM account), (SELECT locked_until FROM unknown)) - now()), 0)
       )::integer AS wait_seconds
FROM (SELECT count(*) FROM address) counted;
