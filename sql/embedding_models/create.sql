-- name: create :one
-- params: name, dims, distance
INSERT INTO embedding_models (name, dims, distance)
VALUES ($1, $2, $3)
RETURNING *;
