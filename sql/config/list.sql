SELECT key, value, description, updated_at
FROM config
ORDER BY key
LIMIT $1 OFFSET $2;
