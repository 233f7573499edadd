SELECT count(*) FROM config;
