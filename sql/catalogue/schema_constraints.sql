-- For `tubebase db check` (service/tooling/schema.py): every constraint of the product
-- schema; the first 2 columns name it, the rest describe it.
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
FROM pg_constraint
WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2;
