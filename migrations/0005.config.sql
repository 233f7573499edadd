-- depends: 0004.templates
CREATE TABLE config (
    key         varchar(100) PRIMARY KEY,
    value       jsonb        NOT NULL,
    description text,
    updated_at  timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT config_key_format CHECK (key ~ '^[A-Za-z0-9_.:-]+$')
);
CREATE TRIGGER config_set_updated_at BEFORE UPDATE ON config
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
