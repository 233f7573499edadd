-- For `tubebase db diagram` (service/tooling/schema.py): each foreign key as
-- (referencing table, referenced table, first referencing column).
SELECT DISTINCT cl.relname, ref.relname, a.attname
FROM pg_constraint con
JOIN pg_class cl ON cl.oid = con.conrelid
JOIN pg_class ref ON ref.oid = con.confrelid
JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace
ORDER BY 2, 1, 3;
