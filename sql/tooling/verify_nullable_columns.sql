-- For `tubebase db verify` (service/tooling/verify.py): whether each table column may be NULL.
SELECT attrelid::int, attnum::int, NOT attnotnull FROM pg_attribute WHERE attnum > 0;
