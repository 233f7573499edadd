-- For `tubebase db generate` (service/generate.py): jsonb columns that a CHECK
-- keeps to objects or arrays (jsonb_typeof(col) = 'object'), typed dict / list.
SELECT con.conrelid::int, a.attnum::int, m[2] AS shape
FROM pg_constraint con
JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum > 0 AND NOT a.attisdropped
CROSS JOIN LATERAL regexp_matches(
    pg_get_constraintdef(con.oid), 'jsonb_typeof\((\w+)\) = ''(object|array)''', 'g') AS m
WHERE con.contype = 'c'
  AND con.connamespace = current_schema()::regnamespace
  AND m[1] = a.attname;
