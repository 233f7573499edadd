-- For scratch databases (service/tooling/scratch.py); FORCE ends its sessions first.
DROP DATABASE IF EXISTS {name} WITH (FORCE);
