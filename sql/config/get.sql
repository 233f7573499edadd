-- name: get :opt
-- params: key
-- struct: ConfigEntry
SELECT key, value, description, updated_at
FROM config
WHERE key = $1;
