-- Undo 0016.messages_created_at_brin: the btree index on created_at again (built
-- first, as 0016 builds its BRIN).
CREATE INDEX idx_messages_created_at_btree ON messages (created_at);
DROP INDEX idx_messages_created_at;
ALTER INDEX idx_messages_created_at_btree RENAME TO idx_messages_created_at;
