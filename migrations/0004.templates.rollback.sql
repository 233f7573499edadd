DROP TABLE templates;
DROP FUNCTION keep_one_default_template();
