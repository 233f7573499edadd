-- name: drop_index :scalar
-- params: model_id
-- not null: index_name
SELECT embedding_index_drop($1) AS index_name;
