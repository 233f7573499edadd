-- name: exists :scalar
-- params: key
-- not null: exists
SELECT EXISTS (SELECT 1 FROM config WHERE key = $1);
