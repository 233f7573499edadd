-- name: list_all :many
SELECT * FROM embedding_models ORDER BY name;
