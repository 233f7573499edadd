DELETE FROM sessions
WHERE id = $1 AND user_id = $2
RETURNING true AS deleted;
