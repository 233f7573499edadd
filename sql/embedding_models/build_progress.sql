-- name: build_progress :opt
-- params: pid
-- How far the index build in backend `pid` has got (pgvector counts tuples).
SELECT phase, tuples_done, tuples_total, blocks_done, blocks_total
FROM pg_stat_progress_create_index
WHERE pid = $1;
