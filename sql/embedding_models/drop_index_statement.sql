-- name: drop_index_statement :scalar
-- params: model_id
-- not null: statement
SELECT format('DROP INDEX CONCURRENTLY IF EXISTS %I', embedding_index_name($1)) AS statement;
