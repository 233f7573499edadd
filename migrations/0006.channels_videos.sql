-- depends: 0005.config
CREATE TABLE channels (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id            uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    youtube_channel_id varchar(24)  NOT NULL,
    name               varchar(255) NOT NULL,
    description        text,
    status             varchar(20)  NOT NULL DEFAULT 'active',
    metadata           jsonb        NOT NULL DEFAULT '{}'::jsonb,
    processing_config  jsonb        NOT NULL DEFAULT '{}'::jsonb,
    created_at         timestamptz  NOT NULL DEFAULT now(),
    updated_at         timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT channels_youtube_channel_id_format
        CHECK (youtube_channel_id ~ '^[A-Za-z0-9_-]{24}$'),
    CONSTRAINT channels_status_check CHECK (status IN ('active', 'paused', 'inactive')),
    CONSTRAINT channels_name_not_blank CHECK (name ~ '\S'),
    CONSTRAINT channels_metadata_is_object CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT channels_processing_config_is_object
        CHECK (jsonb_typeof(processing_config) = 'object'),
    CONSTRAINT uq_channels_user_youtube_channel_id UNIQUE (user_id, youtube_channel_id),
    CONSTRAINT channels_id_user_key UNIQUE (id, user_id)
);
CREATE INDEX idx_channels_user_status ON channels (user_id, status);
CREATE INDEX idx_channels_metadata ON channels USING gin (metadata);
CREATE TRIGGER channels_set_updated_at BEFORE UPDATE ON channels
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE videos (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    channel_id       uuid,
    youtube_video_id varchar(11)  NOT NULL,
    title            text,
    channel_name     varchar(255),
    duration_seconds integer,
    upload_date      date,
    description      text,
    tags             text[]       NOT NULL DEFAULT '{}',
    is_favorite      boolean      NOT NULL DEFAULT false,
    status           varchar(20)  NOT NULL DEFAULT 'discovered',
    file_size_bytes  bigint,
    error_message    text,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT videos_youtube_video_id_format CHECK (youtube_video_id ~ '^[A-Za-z0-9_-]{11}$'),
    CONSTRAINT videos_status_check CHECK (
        status IN ('discovered', 'queued', 'downloading', 'processing', 'completed', 'failed')
    ),
    CONSTRAINT videos_duration_not_negative CHECK (duration_seconds >= 0),
    CONSTRAINT videos_file_size_not_negative CHECK (file_size_bytes >= 0),
    CONSTRAINT uq_videos_user_youtube_video_id UNIQUE (user_id, youtube_video_id),
    CONSTRAINT videos_id_user_key UNIQUE (id, user_id),
    -- The channel, when there is one, is the same user's.
    CONSTRAINT videos_channel_fkey FOREIGN KEY (channel_id, user_id)
        REFERENCES channels (id, user_id) ON DELETE CASCADE
);
CREATE INDEX idx_videos_user_created ON videos (user_id, created_at DESC, id);
CREATE INDEX idx_videos_channel_id ON videos (channel_id);
CREATE INDEX idx_videos_channel_name ON videos (channel_name);
CREATE INDEX idx_videos_is_favorite ON videos (is_favorite);
CREATE INDEX idx_videos_status ON videos (status);
CREATE INDEX idx_videos_tags ON videos USING gin (tags);
CREATE TRIGGER videos_set_updated_at BEFORE UPDATE ON videos
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- The download lifecycle: discovered -> queued -> downloading -> processing ->
-- completed, any unfinished step -> failed, and failed -> queued to retry.
CREATE FUNCTION check_video_status_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = OLD.status OR (OLD.status, NEW.status) IN (
        ('discovered', 'queued'),
        ('queued', 'downloading'),
        ('downloading', 'processing'),
        ('processing', 'completed'),
        ('discovered', 'failed'),
        ('queued', 'failed'),
        ('downloading', 'failed'),
        ('processing', 'failed'),
        ('failed', 'queued')
    ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a video cannot go from % to %', OLD.status, NEW.status
        USING ERRCODE = 'check_violation', CONSTRAINT = 'videos_status_transition',
              TABLE = 'videos', COLUMN = 'status';
END;
$$;
CREATE TRIGGER videos_status_transition BEFORE UPDATE OF status ON videos
    FOR EACH ROW EXECUTE FUNCTION check_video_status_transition();
