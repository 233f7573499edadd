DROP TABLE messages;
DROP FUNCTION update_conversation_timestamp();
DROP TABLE conversations;
