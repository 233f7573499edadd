DELETE FROM sessions
WHERE token_hash = $1
RETURNING true AS deleted;
