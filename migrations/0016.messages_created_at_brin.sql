-- depends: 0015.filtered_claims
-- messages.created_at stays indexed (DESIGN), by a BRIN index instead of a btree.
-- Messages arrive in time order, so block ranges summarize created_at well, for time
-- ranges, at a fraction of the btree's size and insert cost. And a BRIN index gives
-- no order: the btree was a second ordered path for a conversation's page, which the
-- generic plan took when the table held few conversations interleaved (walking every
-- other conversation's messages from the cursor: 3.7 ms against 0.2 ms at 54,000
-- messages, growing with the table; tests/sql/test_search_at_scale.py).
-- Built before the btree is dropped: the build blocks writes to messages for one
-- sequential scan, not reads; the drop's exclusive lock comes at the end, briefly.
CREATE INDEX idx_messages_created_at_brin ON messages USING brin (created_at);
DROP INDEX idx_messages_created_at;
ALTER INDEX idx_messages_created_at_brin RENAME TO idx_messages_created_at;
