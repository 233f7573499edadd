-- name: delete :found
-- params: template_id, owner_id|null
DELETE FROM templates
WHERE id = $1 AND user_id IS NOT DISTINCT FROM $2
RETURNING true AS deleted;
