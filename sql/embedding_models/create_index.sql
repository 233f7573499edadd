-- name: create_index :scalar
-- params: model_id
-- not null: index_name
-- The model's own HNSW index (see embedding_index_create in migration 0013).
SELECT embedding_index_create($1) AS index_name;
