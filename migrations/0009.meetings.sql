-- depends: 0008.processing
-- Seed 004's "conversations": recorded meetings, their participants and AI syntheses.
CREATE TABLE meetings (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                 uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title                   varchar(255) NOT NULL,
    description             text,
    status                  varchar(20)  NOT NULL DEFAULT 'pending',
    scheduled_at            timestamptz,
    started_at              timestamptz,
    ended_at                timestamptz,
    duration_seconds        integer GENERATED ALWAYS AS (
        CASE WHEN started_at IS NOT NULL AND ended_at IS NOT NULL
             THEN floor(extract(epoch FROM ended_at - started_at))::integer END
    ) STORED,
    platform                varchar(50),
    platform_meeting_id     varchar(255),
    meeting_url             varchar(512),
    transcript              text,
    -- Counted by the database, never taken from a client.
    transcript_word_count   integer GENERATED ALWAYS AS (
        CASE WHEN transcript ~ '\S'
             THEN array_length(regexp_split_to_array(
                      regexp_replace(transcript, '^\s+|\s+$', '', 'g'), '\s+'), 1)
             WHEN transcript IS NOT NULL THEN 0 END
    ) STORED,
    transcription_provider  varchar(50),
    synthesis_provider      varchar(50),
    processing_time_seconds integer,
    error_message           text,
    created_at              timestamptz  NOT NULL DEFAULT now(),
    updated_at              timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT meetings_status_check CHECK (
        status IN ('pending', 'transcribing', 'synthesizing', 'completed', 'failed')
    ),
    CONSTRAINT meetings_title_not_blank CHECK (title ~ '\S'),
    CONSTRAINT meetings_ends_after_start
        CHECK (ended_at IS NULL OR started_at IS NULL OR ended_at >= started_at),
    CONSTRAINT meetings_processing_time_not_negative CHECK (processing_time_seconds >= 0),
    CONSTRAINT meetings_id_user_key UNIQUE (id, user_id)
);
CREATE INDEX idx_meetings_user_created ON meetings (user_id, created_at DESC, id);
CREATE INDEX idx_meetings_title ON meetings (title);
CREATE INDEX idx_meetings_status ON meetings (user_id, status);
CREATE INDEX idx_meetings_platform_meeting_id ON meetings (platform_meeting_id);
CREATE INDEX idx_meetings_title_search ON meetings USING gin (to_tsvector('english', title));
CREATE TRIGGER meetings_set_updated_at BEFORE UPDATE ON meetings
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- pending -> transcribing -> synthesizing -> completed (pending -> synthesizing when
-- the transcript came with the meeting), any unfinished step -> failed, and
-- failed -> pending to try again.
CREATE FUNCTION check_meeting_status_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = OLD.status OR (OLD.status, NEW.status) IN (
        ('pending', 'transcribing'),
        ('pending', 'synthesizing'),
        ('transcribing', 'synthesizing'),
        ('synthesizing', 'completed'),
        ('pending', 'failed'),
        ('transcribing', 'failed'),
        ('synthesizing', 'failed'),
        ('failed', 'pending')
    ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a meeting cannot go from % to %', OLD.status, NEW.status
        USING ERRCODE = 'check_violation', CONSTRAINT = 'meetings_status_transition',
              TABLE = 'meetings', COLUMN = 'status';
END;
$$;
CREATE TRIGGER meetings_status_transition BEFORE UPDATE OF status ON meetings
    FOR EACH ROW EXECUTE FUNCTION check_meeting_status_transition();

CREATE TABLE participants (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    meeting_id   uuid         NOT NULL,
    name         varchar(255) NOT NULL,
    email        varchar(255),
    is_organizer boolean      NOT NULL DEFAULT false,
    -- Insertion order, even among participants added in one transaction.
    position     bigint       GENERATED ALWAYS AS IDENTITY,
    created_at   timestamptz  NOT NULL DEFAULT now(),
    updated_at   timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT participants_name_not_blank CHECK (name ~ '\S'),
    CONSTRAINT participants_email_format CHECK (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
    CONSTRAINT participants_meeting_fkey FOREIGN KEY (meeting_id, user_id)
        REFERENCES meetings (id, user_id) ON DELETE CASCADE
);
CREATE INDEX idx_participants_meeting_id ON participants (meeting_id, position);
CREATE INDEX idx_participants_name ON participants (name);
CREATE INDEX idx_participants_email ON participants (email);
-- The same person (by e-mail, any case) attends a meeting once.
CREATE UNIQUE INDEX uq_participants_meeting_email ON participants (meeting_id, lower(email));
CREATE TRIGGER participants_set_updated_at BEFORE UPDATE ON participants
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE syntheses (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id                 uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    meeting_id              uuid         NOT NULL,
    summary                 text         NOT NULL,
    summary_word_count      integer NOT NULL GENERATED ALWAYS AS (
        CASE WHEN summary ~ '\S'
             THEN array_length(regexp_split_to_array(
                      regexp_replace(summary, '^\s+|\s+$', '', 'g'), '\s+'), 1)
             ELSE 0 END
    ) STORED,
    key_decisions           jsonb        NOT NULL DEFAULT '[]'::jsonb,
    action_items            jsonb        NOT NULL DEFAULT '[]'::jsonb,
    open_questions          jsonb        NOT NULL DEFAULT '[]'::jsonb,
    key_topics              jsonb        NOT NULL DEFAULT '[]'::jsonb,
    llm_model               varchar(100),
    llm_tokens_used         integer,
    processing_time_seconds double precision,
    confidence_score        double precision,
    email_sent_at           timestamptz,
    email_recipients        jsonb        NOT NULL DEFAULT '[]'::jsonb,
    email_delivery_status   varchar(20)  NOT NULL DEFAULT 'pending',
    email_error             text,
    created_at              timestamptz  NOT NULL DEFAULT now(),
    updated_at              timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT syntheses_summary_not_blank CHECK (summary ~ '\S'),
    CONSTRAINT syntheses_lists_are_arrays CHECK (
        jsonb_typeof(key_decisions) = 'array' AND jsonb_typeof(action_items) = 'array'
        AND jsonb_typeof(open_questions) = 'array' AND jsonb_typeof(key_topics) = 'array'
        AND jsonb_typeof(email_recipients) = 'array'
    ),
    CONSTRAINT syntheses_llm_tokens_not_negative CHECK (llm_tokens_used >= 0),
    CONSTRAINT syntheses_processing_time_not_negative CHECK (processing_time_seconds >= 0),
    CONSTRAINT syntheses_confidence_range CHECK (confidence_score BETWEEN 0 AND 1),
    CONSTRAINT syntheses_email_delivery_status_check
        CHECK (email_delivery_status IN ('pending', 'sent', 'failed')),
    CONSTRAINT syntheses_sent_has_time
        CHECK ((email_delivery_status = 'sent') = (email_sent_at IS NOT NULL)),
    CONSTRAINT uq_syntheses_meeting_id UNIQUE (meeting_id),
    CONSTRAINT syntheses_meeting_fkey FOREIGN KEY (meeting_id, user_id)
        REFERENCES meetings (id, user_id) ON DELETE CASCADE
);
CREATE INDEX idx_syntheses_user_created ON syntheses (user_id, created_at DESC, id);
CREATE INDEX idx_syntheses_summary_search
    ON syntheses USING gin (to_tsvector('english', summary));
-- The e-mail queue: what get_pending_email reads.
CREATE INDEX idx_syntheses_pending_email ON syntheses (user_id, created_at)
    WHERE email_sent_at IS NULL;
CREATE TRIGGER syntheses_set_updated_at BEFORE UPDATE ON syntheses
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
