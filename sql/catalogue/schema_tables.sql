-- For `tubebase db check` (service/tooling/schema.py): every table of the product
-- schema; the first column names it, the rest describe it.
SELECT table_name FROM information_schema.tables
WHERE table_schema = current_schema() ORDER BY 1;
