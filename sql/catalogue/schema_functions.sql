-- For `tubebase db check` (service/tooling/schema.py): every function of the product
-- schema; the first column names it, the rest describe it.
SELECT proname, pg_get_functiondef(p.oid)
FROM pg_proc p WHERE pronamespace = current_schema()::regnamespace ORDER BY 1;
