-- For the embedded server (service/tooling/embedded.py): is the database there yet?
SELECT 1 FROM pg_database WHERE datname = %s;
