-- name: get_by_id :opt
-- params: meeting_id, user_id
SELECT *
FROM meetings
WHERE id = $1 AND user_id = $2;
