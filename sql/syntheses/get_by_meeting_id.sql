-- name: get_by_meeting_id :opt
-- params: meeting_id, user_id
-- struct: Synthesis
SELECT *
FROM syntheses
WHERE meeting_id = $1 AND user_id = $2;
