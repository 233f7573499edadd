DROP INDEX idx_syntheses_user_created;
CREATE INDEX idx_syntheses_user_created ON syntheses (user_id, created_at DESC, id);
DROP INDEX idx_meetings_user_created;
CREATE INDEX idx_meetings_user_created ON meetings (user_id, created_at DESC, id);
DROP INDEX idx_processing_jobs_user_created;
CREATE INDEX idx_processing_jobs_user_created ON processing_jobs (user_id, created_at DESC, id);
DROP INDEX idx_processing_sessions_user_created;
CREATE INDEX idx_processing_sessions_user_created
    ON processing_sessions (user_id, created_at DESC, id);
DROP INDEX idx_transcripts_user_created;
CREATE INDEX idx_transcripts_user_created ON transcripts (user_id, created_at DESC, id);
DROP INDEX idx_videos_user_created;
CREATE INDEX idx_videos_user_created ON videos (user_id, created_at DESC, id);
DROP INDEX idx_channels_user_created;
DROP INDEX idx_conversations_user_updated;
CREATE INDEX idx_conversations_user_updated ON conversations (user_id, updated_at DESC);

DROP TRIGGER trigger_count_deleted_chunks ON chunks;
DROP FUNCTION count_deleted_chunks();
DROP TRIGGER trigger_count_inserted_chunks ON chunks;
DROP FUNCTION count_inserted_chunks();
DROP TRIGGER trigger_count_deleted_messages ON messages;
DROP FUNCTION count_deleted_messages();
CREATE OR REPLACE FUNCTION update_conversation_timestamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversations
       SET updated_at = now()
     WHERE id IN (SELECT DISTINCT conversation_id FROM inserted_messages);
    RETURN NULL;
END;
$$;
ALTER TABLE transcripts DROP COLUMN chunk_count;
ALTER TABLE conversations DROP COLUMN message_count;
ALTER TABLE transcripts ALTER COLUMN transcript_text SET STORAGE EXTENDED;
CREATE INDEX idx_chunks_user_id ON chunks (user_id);
ALTER TABLE chunks RESET (toast_tuple_target);
