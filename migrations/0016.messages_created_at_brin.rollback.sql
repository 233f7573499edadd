-- Undo 0016.messages_created_at_brin: the btree index on created_at again.
DROP INDEX idx_messages_created_at;
CREATE INDEX idx_messages_created_at ON messages (created_at);
