-- name: count_pending_email :scalar
-- params: user_id
-- not null: count
SELECT count(*) FROM syntheses WHERE user_id = $1 AND email_sent_at IS NULL;
