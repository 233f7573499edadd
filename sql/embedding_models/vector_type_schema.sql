-- name: vector_type_schema :scalar
-- The schema pgvector's type lives in (NULL before migration 0013): each pooled
-- connection registers its binary codec there (service/db.py runs this file itself:
-- the generated module imports service.db).
SELECT n.nspname
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typname = 'vector'
ORDER BY n.nspname = current_schema() DESC
LIMIT 1;
