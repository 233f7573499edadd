-- name: list_with_action_items :many
-- params: user_id, limit, offset
-- struct: Synthesis
SELECT *
FROM syntheses
WHERE user_id = $1 AND jsonb_array_length(action_items) > 0
ORDER BY created_at DESC, id
LIMIT $2 OFFSET $3;
