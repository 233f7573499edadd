-- name: count_by_user :scalar
-- params: user_id, status?
-- not null: count
SELECT count(*) FROM processing_sessions WHERE user_id = $1 AND ($2::text IS NULL OR status = $2);
