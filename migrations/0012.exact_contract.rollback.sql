DROP TRIGGER processing_sessions_derive_status ON processing_sessions;
DROP FUNCTION derive_session_status();
DROP TRIGGER videos_channel_name ON videos;
DROP FUNCTION videos_channel_name_from_channel();
ALTER TABLE transcripts DROP COLUMN title;
