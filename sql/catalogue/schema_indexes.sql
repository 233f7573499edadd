-- For `tubebase db check` (service/tooling/schema.py): every index of the product
-- schema; the first 2 columns name it, the rest describe it.
SELECT tablename, indexname, indexdef FROM pg_indexes
WHERE schemaname = current_schema() ORDER BY 1, 2;
