-- depends: 0012.exact_contract
-- Semantic retrieval: chunk vectors per embedding model, each model with its own
-- HNSW index, searched by nearest_chunks(). Clients (or the embed_transcript job)
-- supply the vectors; tubebase runs no model.

-- pgvector is not a contrib module: the server must have it installed, and
-- creating it takes a superuser (it is not a trusted extension).
-- HNSW indexes came with pgvector 0.5.0 (iterative index scans with 0.8.0:
-- nearest_chunks uses them where it finds them).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') THEN
        IF (SELECT string_to_array(split_part(extversion, '-', 1), '.')::int[] < '{0,5}'
            FROM pg_extension WHERE extname = 'vector') THEN
            RAISE EXCEPTION 'tubebase needs pgvector 0.5.0 or newer, and this database has %',
                (SELECT extversion FROM pg_extension WHERE extname = 'vector')
                USING HINT = 'install a newer pgvector on the server, then run '
                             'ALTER EXTENSION vector UPDATE; and migrate again';
        END IF;
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
        RAISE EXCEPTION 'this PostgreSQL server does not have the pgvector extension, which tubebase needs'
            USING HINT = 'install pgvector on the server (Debian/Ubuntu: apt install postgresql-16-pgvector; '
                         'Docker: the pgvector/pgvector:pg16 image), or unset DATABASE_URL to use the '
                         'embedded server, which bundles it';
    END IF;
    BEGIN
        CREATE EXTENSION vector;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'creating the pgvector extension needs a superuser, and % is not one', current_user
            USING HINT = format('ask a superuser to run CREATE EXTENSION vector; in database %I, then migrate again',
                                current_database());
    END;
END;
$$;

-- A model's vectors all have `dims` dimensions and are compared by `distance`. Models
-- are registered by an administrator (tubebase embeddings add-model), never over HTTP.
CREATE TABLE embedding_models (
    id         integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       varchar(200) NOT NULL,
    dims       integer      NOT NULL,
    distance   varchar(20)  NOT NULL,
    created_at timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT uq_embedding_models_name UNIQUE (name),
    CONSTRAINT embedding_models_name_format CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._:/@+-]*$'),
    -- HNSW indexes vectors of at most 2,000 dimensions.
    CONSTRAINT embedding_models_dims_range CHECK (dims BETWEEN 1 AND 2000),
    CONSTRAINT embedding_models_distance_check
        CHECK (distance IN ('cosine', 'inner_product', 'l2'))
);

-- `embedding` has no fixed dimension: models of different sizes share the table, and
-- each model's index casts to its own size (which also refuses a vector of another).
CREATE TABLE chunk_embeddings (
    chunk_id  uuid    NOT NULL,
    model_id  integer NOT NULL REFERENCES embedding_models (id) ON DELETE CASCADE,
    user_id   uuid    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    embedding vector  NOT NULL,
    CONSTRAINT chunk_embeddings_pkey PRIMARY KEY (chunk_id, model_id),
    CONSTRAINT chunk_embeddings_chunk_fkey FOREIGN KEY (chunk_id)
        REFERENCES chunks (id) ON DELETE CASCADE
);
-- A user's vectors of a model: counted, and ranked exactly when they are few
-- (nearest_chunks).
-- Owner first: it also serves the cascade from a deleted user.
CREATE INDEX idx_chunk_embeddings_user_model ON chunk_embeddings (user_id, model_id);

-- A vector carries its chunk's owner (what every search filters on). Checked once per
-- statement over the rows it wrote, not with a composite foreign key: that would need
-- an index on chunks (id, user_id), which PostgreSQL 18 skip-scans by user_id into
-- the search plans that migration 0010 freed of such an index.
CREATE FUNCTION chunk_embeddings_check_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM written w JOIN chunks c ON c.id = w.chunk_id
               WHERE c.user_id <> w.user_id) THEN
        RAISE EXCEPTION 'a chunk''s vector must carry the chunk''s owner'
            USING ERRCODE = 'foreign_key_violation',
                  CONSTRAINT = 'chunk_embeddings_owner';
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER chunk_embeddings_owner_on_insert AFTER INSERT ON chunk_embeddings
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION chunk_embeddings_check_owner();
CREATE TRIGGER chunk_embeddings_owner_on_update AFTER UPDATE ON chunk_embeddings
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION chunk_embeddings_check_owner();

-- The operator and operator class of a distance: fixed strings, never input.
CREATE FUNCTION embedding_operator(distance text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE distance WHEN 'cosine' THEN '<=>' WHEN 'inner_product' THEN '<#>' WHEN 'l2' THEN '<->' END
$$;

CREATE FUNCTION embedding_opclass(distance text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE distance
        WHEN 'cosine' THEN 'vector_cosine_ops'
        WHEN 'inner_product' THEN 'vector_ip_ops'
        WHEN 'l2' THEN 'vector_l2_ops' END
$$;

CREATE FUNCTION embedding_index_name(model_id integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT 'chunk_embeddings_model_' || model_id || '_hnsw'
$$;

-- A model's HNSW index: partial (its rows only) over the vector cast to its size, so
-- models of different sizes and distances coexist. Everything in the statement comes
-- from the embedding_models row. `tubebase embeddings build-index` runs the
-- CONCURRENTLY form itself (online: it cannot run inside a function).
CREATE FUNCTION embedding_index_statement(model integer, online boolean) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    m embedding_models;
BEGIN
    SELECT * INTO STRICT m FROM embedding_models WHERE id = model;
    RETURN format(
        'CREATE INDEX %s IF NOT EXISTS %I ON chunk_embeddings USING hnsw ((embedding::vector(%s)) %s) '
        'WHERE model_id = %s',
        CASE WHEN online THEN 'CONCURRENTLY' ELSE '' END,
        embedding_index_name(m.id), m.dims, embedding_opclass(m.distance), m.id);
END;
$$;

CREATE FUNCTION embedding_index_create(model integer) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE embedding_index_statement(model, false);
    RETURN embedding_index_name(model);
END;
$$;

-- The `k` chunks of `owner` nearest to `query` under `model`, optionally within one
-- video or channel and whose metadata contains `wanted`.
--
-- The statement is built from the model's row (its id, size and operator) so that it
-- matches the model's partial expression index, and planned for these very values
-- (EXECUTE plans once per call). An owner with fewer than `exact_below` vectors of the
-- model has them all ranked exactly (through idx_chunk_embeddings_user_model: 15 ms
-- for 22,000 vectors of 384 dimensions, and exact): an index walk filtered down to a
-- small share of the graph finds few of the true neighbours (recall@10 0.54 to 0.76
-- for a user with 10% of the vectors, measured, whatever ef_search). Past that it
-- walks the HNSW index with iterative scans, which keep yielding candidates until `k`
-- pass the owner and metadata filters (or hnsw.max_scan_tuples is reached), so
-- another user's vectors never crowd out the owner's. Within a video or a channel it
-- ranks every chunk there exactly: such a scope is small.
CREATE FUNCTION nearest_chunks(
    model integer, owner uuid, query real[], k integer, ef_search integer,
    video uuid DEFAULT NULL, channel uuid DEFAULT NULL, wanted jsonb DEFAULT NULL,
    exact_below integer DEFAULT 25000
) RETURNS TABLE (chunk_id uuid, distance float8)
LANGUAGE plpgsql STABLE
SET hnsw.ef_search = 40
AS $$
DECLARE
    m embedding_models;
    vec text;
    op text;
    owned bigint := 0;
BEGIN
    IF query IS NULL THEN  -- no vector to compare with (a chunk without one, say)
        RETURN;
    END IF;
    SELECT * INTO m FROM embedding_models WHERE id = model;
    IF NOT FOUND THEN
        -- invalid_parameter_value: answered 400, as a model dropped meanwhile should be.
        RAISE EXCEPTION 'no embedding model with id %', model USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF cardinality(query) IS DISTINCT FROM m.dims THEN
        RAISE EXCEPTION 'model % takes vectors of % dimensions, not %', m.name, m.dims, cardinality(query)
            USING ERRCODE = 'data_exception';
    END IF;
    -- Local to this call: the SET clause above restores it on the way out.
    PERFORM set_config('hnsw.ef_search', greatest(ef_search, k)::text, true);
    -- Iterative scans (pgvector 0.8+; older ones answer filtered walks with fewer
    -- rows). Set here, not in a SET clause, which older versions refuse; it lasts to
    -- the end of the transaction, whose HNSW scans are all this function's.
    IF (SELECT string_to_array(split_part(extversion, '-', 1), '.')::int[] >= '{0,8}'
        FROM pg_extension WHERE extname = 'vector') THEN
        PERFORM set_config('hnsw.iterative_scan', 'relaxed_order', true);
    END IF;
    vec := format('embedding::vector(%s)', m.dims);
    op := embedding_operator(m.distance);
    IF video IS NULL AND channel IS NULL THEN
        SELECT count(*) INTO owned
        FROM (SELECT 1 FROM chunk_embeddings e
              WHERE e.model_id = m.id AND e.user_id = owner LIMIT exact_below) few;
    END IF;
    IF video IS NULL AND channel IS NULL AND owned >= exact_below THEN
        RETURN QUERY EXECUTE format(
            'SELECT e.chunk_id, (%1$s %2$s $1)::float8 FROM chunk_embeddings e '
            'WHERE e.model_id = %3$s AND e.user_id = $2 '
            '  AND ($4::jsonb IS NULL OR EXISTS (SELECT 1 FROM chunks c '
            '       WHERE c.id = e.chunk_id AND c.metadata @> $4)) '
            'ORDER BY %1$s %2$s $1 LIMIT $3',
            vec, op, m.id)
        USING query::vector, owner, k, wanted;
    ELSIF video IS NULL AND channel IS NULL THEN
        -- "+ 0" keeps the model's HNSW index out of it: every vector is ranked, and
        -- ORDER BY 2 sorts on the select list's distance, computed once a row.
        RETURN QUERY EXECUTE format(
            'SELECT e.chunk_id, (%1$s %2$s $1) + 0 FROM chunk_embeddings e '
            'WHERE e.model_id = %3$s AND e.user_id = $2 '
            '  AND ($4::jsonb IS NULL OR EXISTS (SELECT 1 FROM chunks c '
            '       WHERE c.id = e.chunk_id AND c.metadata @> $4)) '
            'ORDER BY 2, 1 LIMIT $3',
            vec, op, m.id)
        USING query::vector, owner, k, wanted;
    ELSE
        RETURN QUERY EXECUTE format(
            'SELECT e.chunk_id, (%1$s %2$s $1) + 0 AS distance '
            'FROM transcripts t '
            'JOIN videos v ON v.id = t.video_id '
            'JOIN chunks c ON c.transcript_id = t.id '
            'JOIN chunk_embeddings e ON e.chunk_id = c.id AND e.model_id = %3$s '
            'WHERE t.user_id = $2 AND e.user_id = $2 '
            '  AND ($5::uuid IS NULL OR t.video_id = $5) '
            '  AND ($6::uuid IS NULL OR v.channel_id = $6) '
            '  AND ($4::jsonb IS NULL OR c.metadata @> $4) '
            'ORDER BY 2, 1 LIMIT $3',
            vec, op, m.id)
        USING query::vector, owner, k, wanted, video, channel;
    END IF;
END;
$$;
