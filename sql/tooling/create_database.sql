-- For the embedded server and scratch databases (service/tooling/): the name is an
-- identifier composed by psycopg.sql (tubebase's own names, never input).
CREATE DATABASE {name};
