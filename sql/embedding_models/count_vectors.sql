-- name: count_vectors :scalar
-- params: model_id
-- not null: vectors
SELECT count(*) AS vectors FROM chunk_embeddings WHERE model_id = $1;
