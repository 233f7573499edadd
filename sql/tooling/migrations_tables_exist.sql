-- For service/tooling/migrations.py: whether the bookkeeping tables named are all
-- there yet (yoyo makes its own when it first needs them).
SELECT bool_and(to_regclass(name) IS NOT NULL) FROM unnest(%s::text[]) AS name;
