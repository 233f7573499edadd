-- name: set_build_memory :scalar
-- params: memory
-- not null: maintenance_work_mem
-- For this session's index build: an HNSW graph that outgrows maintenance_work_mem
-- is built on disk, many times slower (pgvector warns when it happens).
SELECT set_config('maintenance_work_mem', $1, false) AS maintenance_work_mem;
