-- name: get_by_name :opt
-- params: name
SELECT * FROM embedding_models WHERE name = $1;
