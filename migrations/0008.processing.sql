-- depends: 0007.transcripts_chunks
CREATE TABLE processing_sessions (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            varchar(255) NOT NULL DEFAULT 'Processing session',
    status          varchar(20)  NOT NULL DEFAULT 'pending',
    configuration   jsonb        NOT NULL DEFAULT '{}'::jsonb,
    -- Kept by trigger_track_session_progress as the session's jobs move.
    total_items     integer      NOT NULL DEFAULT 0,
    completed_items integer      NOT NULL DEFAULT 0,
    failed_items    integer      NOT NULL DEFAULT 0,
    started_at      timestamptz,
    finished_at     timestamptz,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    updated_at      timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT processing_sessions_status_check
        CHECK (status IN ('pending', 'running', 'completed', 'failed', 'cancelled')),
    CONSTRAINT processing_sessions_name_not_blank CHECK (name ~ '\S'),
    CONSTRAINT processing_sessions_configuration_is_object
        CHECK (jsonb_typeof(configuration) = 'object'),
    CONSTRAINT processing_sessions_counters_not_negative
        CHECK (total_items >= 0 AND completed_items >= 0 AND failed_items >= 0),
    CONSTRAINT processing_sessions_id_user_key UNIQUE (id, user_id)
);
CREATE INDEX idx_processing_sessions_user_created
    ON processing_sessions (user_id, created_at DESC, id);
CREATE INDEX idx_processing_sessions_configuration
    ON processing_sessions USING gin (configuration);
CREATE TRIGGER processing_sessions_set_updated_at BEFORE UPDATE ON processing_sessions
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE processing_jobs (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id      uuid,
    job_type        varchar(100) NOT NULL,
    -- What the job works on, of any kind: ('transcript', <id>), ('video', <id>), ...
    entity_type     varchar(50),
    entity_id       uuid,
    status          varchar(20)  NOT NULL DEFAULT 'queued',
    priority        integer      NOT NULL DEFAULT 0,
    attempts        integer      NOT NULL DEFAULT 0,
    max_attempts    integer      NOT NULL DEFAULT 3,
    run_after       timestamptz  NOT NULL DEFAULT now(),
    payload         jsonb        NOT NULL DEFAULT '{}'::jsonb,
    result          jsonb,
    error_message   text,
    idempotency_key varchar(255),
    locked_by       varchar(255),
    locked_at       timestamptz,
    started_at      timestamptz,
    finished_at     timestamptz,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    updated_at      timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT processing_jobs_status_check
        CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    CONSTRAINT processing_jobs_job_type_format CHECK (job_type ~ '^[a-z][a-z0-9_.:-]*$'),
    CONSTRAINT processing_jobs_entity_pair
        CHECK ((entity_type IS NULL) = (entity_id IS NULL)),
    CONSTRAINT processing_jobs_attempts_range
        CHECK (attempts >= 0 AND max_attempts >= 1 AND max_attempts <= 100),
    CONSTRAINT processing_jobs_payload_is_object CHECK (jsonb_typeof(payload) = 'object'),
    CONSTRAINT uq_processing_jobs_user_idempotency_key UNIQUE (user_id, idempotency_key),
    CONSTRAINT processing_jobs_session_fkey FOREIGN KEY (session_id, user_id)
        REFERENCES processing_sessions (id, user_id) ON DELETE CASCADE
);
-- What a claim reads: the queued jobs, highest priority first, then oldest.
CREATE INDEX idx_processing_jobs_claim ON processing_jobs (priority DESC, run_after, created_at)
    WHERE status = 'queued';
CREATE INDEX idx_processing_jobs_running ON processing_jobs (locked_at) WHERE status = 'running';
CREATE INDEX idx_processing_jobs_user_created ON processing_jobs (user_id, created_at DESC, id);
CREATE INDEX idx_processing_jobs_entity ON processing_jobs (entity_type, entity_id);
CREATE INDEX idx_processing_jobs_status ON processing_jobs (status);
CREATE INDEX idx_processing_jobs_job_type ON processing_jobs (job_type);
CREATE INDEX idx_processing_jobs_session_id ON processing_jobs (session_id);
CREATE INDEX idx_processing_jobs_result ON processing_jobs USING gin (result);
CREATE TRIGGER processing_jobs_set_updated_at BEFORE UPDATE ON processing_jobs
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- A session's counters follow its jobs. Each change is one UPDATE of the session
-- row, whose row lock serialises concurrent workers: no lost increments.
CREATE FUNCTION track_session_progress() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE processing_sessions
           SET total_items = total_items + 1
         WHERE id = NEW.session_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE processing_sessions
           SET total_items = total_items - (OLD.status <> 'cancelled')::int,
               completed_items = completed_items - (OLD.status = 'completed')::int,
               failed_items = failed_items - (OLD.status = 'failed')::int
         WHERE id = OLD.session_id;
        RETURN NULL;
    ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
        UPDATE processing_sessions
           SET completed_items = completed_items
                   + (NEW.status = 'completed')::int - (OLD.status = 'completed')::int,
               failed_items = failed_items
                   + (NEW.status = 'failed')::int - (OLD.status = 'failed')::int,
               -- a cancelled job is no longer part of the work
               total_items = total_items
                   - (NEW.status = 'cancelled')::int + (OLD.status = 'cancelled')::int,
               started_at = coalesce(started_at, CASE WHEN NEW.status = 'running' THEN now() END)
         WHERE id = NEW.session_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER trigger_track_session_progress
    AFTER INSERT OR UPDATE OF status ON processing_jobs
    FOR EACH ROW WHEN (NEW.session_id IS NOT NULL)
    EXECUTE FUNCTION track_session_progress();
CREATE TRIGGER trigger_untrack_session_progress
    AFTER DELETE ON processing_jobs
    FOR EACH ROW WHEN (OLD.session_id IS NOT NULL)
    EXECUTE FUNCTION track_session_progress();
