-- Whether pgvector is installed in this database, whether the server has it to
-- install, and whether this role may install it (it is not a trusted extension).
SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') AS installed,
       EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
       current_user AS role_name,
       current_database() AS database_name;
