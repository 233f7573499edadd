-- depends: 0009.meetings
-- Retrieval at scale: chunk rows that ranking can read without detoasting, counters
-- that make list totals free, and indexes that serve keyset (cursor) pages.

-- A chunk row (text plus its tsvector) is ~3 kB. With the default 2 kB target the
-- tsvector went to the TOAST table, so every match test and every rank read it back
-- through the TOAST index and decompressed it. Rows up to a page now stay inline and
-- uncompressed: a little more disk, no detoasting and no compression on ingest.
-- Applies to rows written from now on.
ALTER TABLE chunks SET (toast_tuple_target = 8160);
-- No index on chunks.user_id: a search takes a rare term's matches from the GIN
-- index and checks their owner, or walks the user's newest transcripts' chunks for
-- a common term; an index listing a user's million chunks only tempted the planner
-- to intersect it with the GIN index (100 ms for a 1M-row bitmap, to keep 100
-- rows), and cost every ingested chunk one more index entry. The one reader it
-- had left is the cascade of a deleted user (rare): one pass over chunks.
DROP INDEX idx_chunks_user_id;
-- A transcript's text (often a megabyte) is written once and read whole: stored
-- out of line without pglz, which took ~45 ms per megabyte on ingest.
ALTER TABLE transcripts ALTER COLUMN transcript_text SET STORAGE EXTERNAL;

-- Message and chunk counts kept by statement-level triggers (one UPDATE per
-- statement and parent, so a bulk insert or a COPY touches each parent once).
ALTER TABLE conversations ADD COLUMN message_count integer NOT NULL DEFAULT 0;
ALTER TABLE transcripts ADD COLUMN chunk_count integer NOT NULL DEFAULT 0;

ALTER TABLE conversations DISABLE TRIGGER conversations_set_updated_at;
UPDATE conversations c
   SET message_count = (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id);
ALTER TABLE conversations ENABLE TRIGGER conversations_set_updated_at;
ALTER TABLE transcripts DISABLE TRIGGER transcripts_set_updated_at;
UPDATE transcripts t
   SET chunk_count = (SELECT count(*) FROM chunks c WHERE c.transcript_id = t.id);
ALTER TABLE transcripts ENABLE TRIGGER transcripts_set_updated_at;

-- A new message bumps its conversation's updated_at (as before) and its count.
CREATE OR REPLACE FUNCTION update_conversation_timestamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversations c
       SET updated_at = now(),
           message_count = c.message_count + n.added
      FROM (SELECT conversation_id, count(*) AS added
              FROM inserted_messages GROUP BY conversation_id) n
     WHERE c.id = n.conversation_id;
    RETURN NULL;
END;
$$;

-- Deleting messages counts them out (which also bumps updated_at: the conversation
-- changed). When the conversation itself is being deleted there is no row left.
CREATE FUNCTION count_deleted_messages() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversations c
       SET message_count = c.message_count - n.removed
      FROM (SELECT conversation_id, count(*) AS removed
              FROM deleted_messages GROUP BY conversation_id) n
     WHERE c.id = n.conversation_id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER trigger_count_deleted_messages
    AFTER DELETE ON messages
    REFERENCING OLD TABLE AS deleted_messages
    FOR EACH STATEMENT EXECUTE FUNCTION count_deleted_messages();

CREATE FUNCTION count_inserted_chunks() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE transcripts t
       SET chunk_count = t.chunk_count + n.added
      FROM (SELECT transcript_id, count(*) AS added
              FROM inserted_chunks GROUP BY transcript_id) n
     WHERE t.id = n.transcript_id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER trigger_count_inserted_chunks
    AFTER INSERT ON chunks
    REFERENCING NEW TABLE AS inserted_chunks
    FOR EACH STATEMENT EXECUTE FUNCTION count_inserted_chunks();

CREATE FUNCTION count_deleted_chunks() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE transcripts t
       SET chunk_count = t.chunk_count - n.removed
      FROM (SELECT transcript_id, count(*) AS removed
              FROM deleted_chunks GROUP BY transcript_id) n
     WHERE t.id = n.transcript_id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER trigger_count_deleted_chunks
    AFTER DELETE ON chunks
    REFERENCING OLD TABLE AS deleted_chunks
    FOR EACH STATEMENT EXECUTE FUNCTION count_deleted_chunks();

-- Keyset pages read newest first as (created_at, id) < (cursor): one index in
-- ascending order serves that backwards, and the row comparison is an index bound.
DROP INDEX idx_conversations_user_updated;
CREATE INDEX idx_conversations_user_updated ON conversations (user_id, updated_at, id);
CREATE INDEX idx_channels_user_created ON channels (user_id, created_at, id);
DROP INDEX idx_videos_user_created;
CREATE INDEX idx_videos_user_created ON videos (user_id, created_at, id);
DROP INDEX idx_transcripts_user_created;
CREATE INDEX idx_transcripts_user_created ON transcripts (user_id, created_at, id);
DROP INDEX idx_processing_sessions_user_created;
CREATE INDEX idx_processing_sessions_user_created
    ON processing_sessions (user_id, created_at, id);
DROP INDEX idx_processing_jobs_user_created;
CREATE INDEX idx_processing_jobs_user_created ON processing_jobs (user_id, created_at, id);
DROP INDEX idx_meetings_user_created;
CREATE INDEX idx_meetings_user_created ON meetings (user_id, created_at, id);
DROP INDEX idx_syntheses_user_created;
CREATE INDEX idx_syntheses_user_created ON syntheses (user_id, created_at, id);
