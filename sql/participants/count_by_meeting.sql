-- name: count_by_meeting :scalar
-- params: meeting_id, user_id
-- not null: count
SELECT count(*) FROM participants WHERE meeting_id = $1 AND user_id = $2;
