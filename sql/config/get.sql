-- name: get :opt
-- params: key
-- struct: ConfigEntry
SELECT *
FROM config
WHERE key = $1;
