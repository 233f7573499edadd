-- Most recently active first (a new message bumps updated_at).
SELECT id, user_id, title, created_at, updated_at
FROM conversations
WHERE user_id = $1
ORDER BY updated_at DESC, id
LIMIT $2 OFFSET $3;
