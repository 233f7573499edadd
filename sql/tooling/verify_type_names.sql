-- For `tubebase db verify` (service/tooling/verify.py): every type's name by oid.
SELECT oid::int, typname FROM pg_type;
