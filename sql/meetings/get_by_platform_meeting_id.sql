-- name: get_by_platform_meeting_id :opt
-- params: user_id, platform_meeting_id, platform?
-- The newest meeting with this platform id; $3 optionally names the platform.
SELECT *
FROM meetings
WHERE user_id = $1 AND platform_meeting_id = $2 AND ($3::text IS NULL OR platform = $3)
ORDER BY created_at DESC, id
LIMIT 1;
