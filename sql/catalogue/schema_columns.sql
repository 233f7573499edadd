-- For `tubebase db check` (service/tooling/schema.py): every column of the product
-- schema; the first 2 columns name it, the rest describe it.
SELECT table_name, column_name,
       CASE WHEN data_type = 'ARRAY' THEN udt_name ELSE data_type END,
       character_maximum_length, is_nullable, column_default, generation_expression
FROM information_schema.columns
WHERE table_schema = current_schema() ORDER BY 1, 2;
