-- For `tubebase db check` (service/tooling/schema.py): every trigger of the product
-- schema; the first 2 columns name it, the rest describe it.
SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace
ORDER BY 1, 2;
