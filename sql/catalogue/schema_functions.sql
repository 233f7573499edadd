-- For `tubebase db check` (service/tooling/schema.py): every function of the product
-- schema; the first column names it, the rest describe it. An extension's own
-- functions (pgvector's, installed in the same schema) are the extension's, not ours.
SELECT proname, pg_get_functiondef(p.oid)
FROM pg_proc p
WHERE pronamespace = current_schema()::regnamespace
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1;
