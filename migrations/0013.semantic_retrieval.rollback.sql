-- The extension stays: other schemas in the database may use it, and dropping it
-- needs the superuser that created it.
DROP FUNCTION nearest_chunks(integer, uuid, real[], integer, integer, uuid, uuid, jsonb, integer);
DROP FUNCTION embedding_index_create(integer);
DROP FUNCTION embedding_index_statement(integer, boolean);
DROP FUNCTION embedding_index_name(integer);
DROP FUNCTION embedding_opclass(text);
DROP FUNCTION embedding_operator(text);
DROP TABLE chunk_embeddings;
DROP FUNCTION chunk_embeddings_check_owner();
DROP TABLE embedding_models;
