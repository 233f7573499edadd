-- depends: 0002.users_sessions
CREATE TABLE conversations (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id    uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title      varchar(500) NOT NULL DEFAULT 'New Conversation',
    created_at timestamptz  NOT NULL DEFAULT now(),
    updated_at timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT conversations_title_not_blank CHECK (title ~ '\S'),
    -- Target of the messages' (conversation_id, user_id) key: a message always
    -- belongs to the same user as its conversation.
    CONSTRAINT conversations_id_user_key UNIQUE (id, user_id)
);
CREATE INDEX idx_conversations_user_updated ON conversations (user_id, updated_at DESC);
CREATE TRIGGER conversations_set_updated_at BEFORE UPDATE ON conversations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE messages (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id uuid        NOT NULL,
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            varchar(20) NOT NULL,
    content         text        NOT NULL,
    metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    -- clock_timestamp, not now(): messages written in one transaction keep their order.
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant', 'system')),
    CONSTRAINT messages_metadata_is_object CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT messages_conversation_fkey FOREIGN KEY (conversation_id, user_id)
        REFERENCES conversations (id, user_id) ON DELETE CASCADE
);
CREATE INDEX idx_messages_conversation_id ON messages (conversation_id, created_at, id);
CREATE INDEX idx_messages_user_id ON messages (user_id);
CREATE INDEX idx_messages_created_at ON messages (created_at);
CREATE INDEX idx_messages_metadata ON messages USING gin (metadata);

-- A new message makes its conversation the most recently updated. Statement-level
-- with a transition table, so a bulk insert touches each conversation once.
CREATE FUNCTION update_conversation_timestamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversations
       SET updated_at = now()
     WHERE id IN (SELECT DISTINCT conversation_id FROM inserted_messages);
    RETURN NULL;
END;
$$;
CREATE TRIGGER trigger_update_conversation
    AFTER INSERT ON messages
    REFERENCING NEW TABLE AS inserted_messages
    FOR EACH STATEMENT EXECUTE FUNCTION update_conversation_timestamp();
