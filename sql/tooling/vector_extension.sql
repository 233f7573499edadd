-- pgvector in this database: its installed version (NULL when it is not), the
-- version the server would install, and whether this role may install it (it is not
-- a trusted extension).
SELECT (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS installed,
       (SELECT default_version FROM pg_available_extensions WHERE name = 'vector') AS available,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
       current_user AS role_name,
       current_database() AS database_name;
