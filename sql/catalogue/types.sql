-- For `tubebase db generate` (service/generate.py): every type's name by oid.
SELECT oid::int, typname::text FROM pg_type;
