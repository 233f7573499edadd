-- name: index_state :opt
-- params: model_id
-- not null: valid
-- The model's HNSW index, if it exists: whether it is valid (a CONCURRENTLY build
-- that failed leaves an invalid one behind), and its size.
SELECT i.indisvalid AS valid, pg_relation_size(i.indexrelid) AS bytes
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
WHERE c.relname = embedding_index_name($1)
  AND c.relnamespace = current_schema()::regnamespace;
