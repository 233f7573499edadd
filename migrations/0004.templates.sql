-- depends: 0003.conversations_messages
CREATE TABLE templates (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- NULL owner: a built-in template every user sees.
    user_id          uuid         REFERENCES users (id) ON DELETE CASCADE,
    template_type    varchar(50)  NOT NULL,
    template_name    varchar(255) NOT NULL,
    template_content text         NOT NULL,
    variables        jsonb        NOT NULL DEFAULT '[]'::jsonb,
    is_default       boolean      NOT NULL DEFAULT false,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT templates_type_check
        CHECK (template_type IN ('linkedin', 'twitter', 'blog', 'email')),
    CONSTRAINT templates_name_not_blank CHECK (template_name ~ '\S'),
    CONSTRAINT templates_variables_is_array CHECK (jsonb_typeof(variables) = 'array')
);
-- UNIQUE (user_id, template_type, template_name) that also holds between built-ins:
-- PostgreSQL 14 has no NULLS NOT DISTINCT, so NULL owners fold to the nil uuid.
CREATE UNIQUE INDEX uq_templates_owner_type_name ON templates (
    coalesce(user_id, '00000000-0000-0000-0000-000000000000'::uuid), template_type, template_name
);
-- At most one default per owner and type, built-ins included; the trigger below
-- keeps it so by retiring the old default when another becomes the default.
CREATE UNIQUE INDEX uq_templates_one_default ON templates (
    coalesce(user_id, '00000000-0000-0000-0000-000000000000'::uuid), template_type
) WHERE is_default;
CREATE INDEX idx_templates_type_default ON templates (template_type, is_default);
CREATE INDEX idx_templates_user_id ON templates (user_id);
CREATE TRIGGER templates_set_updated_at BEFORE UPDATE ON templates
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE FUNCTION keep_one_default_template() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.is_default THEN
        UPDATE templates
           SET is_default = false
         WHERE is_default
           AND template_type = NEW.template_type
           AND user_id IS NOT DISTINCT FROM NEW.user_id
           AND id <> NEW.id;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER templates_keep_one_default
    BEFORE INSERT OR UPDATE OF is_default, template_type ON templates
    FOR EACH ROW EXECUTE FUNCTION keep_one_default_template();

INSERT INTO templates (user_id, template_type, template_name, template_content, variables, is_default)
VALUES
    (NULL, 'linkedin', 'Built-in LinkedIn post',
     E'{hook}\n\nWhat I learned from "{video_title}":\n{key_points}\n\n{call_to_action}',
     '["hook", "video_title", "key_points", "call_to_action"]', true),
    (NULL, 'twitter', 'Built-in thread',
     E'{hook}\n\n{key_points}\n\nSource: {video_url}',
     '["hook", "key_points", "video_url"]', true),
    (NULL, 'blog', 'Built-in blog post',
     E'# {title}\n\n{introduction}\n\n{body}\n\n{conclusion}',
     '["title", "introduction", "body", "conclusion"]', true),
    (NULL, 'email', 'Built-in e-mail digest',
     E'Subject: {subject}\n\nHi {recipient_name},\n\n{summary}\n\n{sign_off}',
     '["subject", "recipient_name", "summary", "sign_off"]', true);
