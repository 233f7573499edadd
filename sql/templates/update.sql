-- name: update :opt
-- params: template_id, owner_id|null, template_name?, template_content?, variables?, is_default?
-- $2 is the owner: a user id, or NULL for a built-in (only admins get here with NULL).
UPDATE templates
SET template_name    = coalesce($3, template_name),
    template_content = coalesce($4, template_content),
    variables        = coalesce($5, variables),
    is_default       = coalesce($6, is_default)
WHERE id = $1 AND user_id IS NOT DISTINCT FROM $2
RETURNING *;
