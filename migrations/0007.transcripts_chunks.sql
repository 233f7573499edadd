-- depends: 0006.channels_videos
CREATE TABLE transcripts (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    video_id        uuid        NOT NULL,
    source          varchar(20) NOT NULL,
    language        varchar(35) NOT NULL DEFAULT 'en',
    transcript_text text        NOT NULL,
    metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT transcripts_source_check
        CHECK (source IN ('youtube_auto', 'youtube_manual', 'upload')),
    -- A BCP 47 tag such as en, pt-BR, zh-Hant.
    CONSTRAINT transcripts_language_format
        CHECK (language ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$'),
    CONSTRAINT transcripts_metadata_is_object CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT uq_transcripts_video_source_language UNIQUE (video_id, source, language),
    CONSTRAINT transcripts_id_user_key UNIQUE (id, user_id),
    CONSTRAINT transcripts_video_fkey FOREIGN KEY (video_id, user_id)
        REFERENCES videos (id, user_id) ON DELETE CASCADE
);
CREATE INDEX idx_transcripts_user_created ON transcripts (user_id, created_at DESC, id);
CREATE INDEX idx_transcripts_metadata ON transcripts USING gin (metadata);
CREATE TRIGGER transcripts_set_updated_at BEFORE UPDATE ON transcripts
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE chunks (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    transcript_id uuid        NOT NULL,
    chunk_index   integer     NOT NULL,
    chunk_text    text        NOT NULL,
    token_count   integer     NOT NULL,
    metadata      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    -- Kept by PostgreSQL itself, so search never re-parses the text.
    search_vector tsvector    GENERATED ALWAYS AS (to_tsvector('english', chunk_text)) STORED,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT chunks_index_not_negative CHECK (chunk_index >= 0),
    CONSTRAINT chunks_token_count_not_negative CHECK (token_count >= 0),
    CONSTRAINT chunks_text_not_blank CHECK (chunk_text ~ '\S'),
    CONSTRAINT chunks_metadata_is_object CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT uq_chunks_transcript_chunk_index UNIQUE (transcript_id, chunk_index),
    CONSTRAINT chunks_transcript_fkey FOREIGN KEY (transcript_id, user_id)
        REFERENCES transcripts (id, user_id) ON DELETE CASCADE
);
CREATE INDEX idx_chunks_user_id ON chunks (user_id);
CREATE INDEX idx_chunks_search_vector ON chunks USING gin (search_vector);
CREATE INDEX idx_chunks_metadata ON chunks USING gin (metadata);
