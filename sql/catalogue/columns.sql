-- For `tubebase db generate` (service/generate.py): the columns of the product's
-- tables in order, with NOT NULL, to type result columns and find whole rows, and
-- the length limit of each varchar(n) column, for the input Structs that write it.
SELECT c.oid::int, c.relname::text, a.attnum::int, a.attname::text, a.attnotnull,
       CASE WHEN a.atttypid = 'varchar'::regtype AND a.atttypmod > 4
            THEN a.atttypmod - 4 END AS max_length
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid
WHERE c.relnamespace = current_schema()::regnamespace
  AND c.relkind IN ('r', 'p', 'v')
  AND a.attnum > 0
  AND NOT a.attisdropped
ORDER BY c.oid, a.attnum;
