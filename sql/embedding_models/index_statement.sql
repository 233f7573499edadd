-- name: index_statement :scalar
-- params: model_id
-- not null: statement
-- CREATE INDEX CONCURRENTLY for the model's HNSW index, written by the database from
-- the model's row (see embedding_index_statement in migration 0013).
SELECT embedding_index_statement($1, true) AS statement;
