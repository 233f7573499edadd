-- For service/tooling/migrations.py: whether a bookkeeping table is there yet.
SELECT to_regclass(%s) IS NOT NULL;
