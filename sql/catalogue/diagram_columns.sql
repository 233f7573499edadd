-- For `tubebase db diagram` (service/tooling/schema.py): every column of the product's
-- tables with whether it is (part of) a primary key, a foreign key, a one-column unique key.
SELECT c.table_name, c.column_name, c.udt_name,
       bool_or(tc.constraint_type = 'PRIMARY KEY'),
       bool_or(tc.constraint_type = 'FOREIGN KEY'),
       bool_or(tc.constraint_type = 'UNIQUE' AND (
           SELECT count(*) FROM information_schema.key_column_usage k
           WHERE k.constraint_name = tc.constraint_name
             AND k.constraint_schema = tc.constraint_schema) = 1)
FROM information_schema.columns c
LEFT JOIN information_schema.key_column_usage ku
  ON ku.table_schema = c.table_schema AND ku.table_name = c.table_name
 AND ku.column_name = c.column_name
LEFT JOIN information_schema.table_constraints tc
  ON tc.constraint_name = ku.constraint_name
 AND tc.constraint_schema = ku.constraint_schema
WHERE c.table_schema = current_schema()
GROUP BY c.table_name, c.column_name, c.udt_name, c.ordinal_position
ORDER BY c.table_name, c.ordinal_position;
