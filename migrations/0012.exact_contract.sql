-- depends: 0011.hostile_clients
-- What the HTTP contract promises and the schema keeps by itself: a transcript can
-- carry a title, a video takes its channel's name unless given one, and a
-- processing session reaches its final status when its last job finishes.

ALTER TABLE transcripts
    ADD COLUMN title varchar(500),
    ADD CONSTRAINT transcripts_title_not_blank CHECK (title ~ '\S');

-- A video added with a channel but no channel_name gets the channel's name; moving a
-- video to another channel takes the new channel's name unless the same statement
-- sets one. (Clearing channel_name on a video that keeps its channel is allowed.)
CREATE FUNCTION videos_channel_name_from_channel() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.channel_id IS NOT NULL
       AND (CASE WHEN TG_OP = 'INSERT' THEN NEW.channel_name IS NULL
                 ELSE NEW.channel_id IS DISTINCT FROM OLD.channel_id
                      AND NEW.channel_name IS NOT DISTINCT FROM OLD.channel_name END) THEN
        SELECT c.name INTO NEW.channel_name
          FROM channels c
         WHERE c.id = NEW.channel_id AND c.user_id = NEW.user_id;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER videos_channel_name BEFORE INSERT OR UPDATE OF channel_id, channel_name
    ON videos FOR EACH ROW EXECUTE FUNCTION videos_channel_name_from_channel();

-- A session's status follows its counters (kept by trigger_track_session_progress):
-- pending until a job runs, then running; once every job still counted has
-- finished, completed (or failed when any job failed) with finished_at stamped;
-- back to running when more work arrives or a failed job is retried; cancelled
-- when every job it had is cancelled or deleted. A cancelled session stays so.
CREATE FUNCTION derive_session_status() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'cancelled' THEN
        RETURN NEW;
    END IF;
    IF NEW.total_items > 0 AND NEW.completed_items + NEW.failed_items >= NEW.total_items THEN
        NEW.status := CASE WHEN NEW.failed_items > 0 THEN 'failed' ELSE 'completed' END;
        NEW.started_at := coalesce(NEW.started_at, now());
        NEW.finished_at := CASE WHEN OLD.status = NEW.status THEN coalesce(NEW.finished_at, now())
                                ELSE now() END;
    ELSIF NEW.total_items = 0 AND OLD.total_items > 0 THEN
        NEW.status := 'cancelled';
        NEW.finished_at := now();
    ELSIF NEW.status IN ('completed', 'failed') OR NEW.started_at IS NOT NULL THEN
        NEW.status := 'running';
        NEW.finished_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;

-- Sessions whose jobs all finished before this trigger existed.
UPDATE processing_sessions s
   SET status = CASE WHEN s.failed_items > 0 THEN 'failed' ELSE 'completed' END,
       started_at = coalesce(s.started_at, j.first_started, s.created_at),
       finished_at = coalesce(j.last_finished, now())
  FROM (SELECT session_id, min(started_at) AS first_started, max(finished_at) AS last_finished
          FROM processing_jobs
         WHERE session_id IS NOT NULL
         GROUP BY session_id) j
 WHERE j.session_id = s.id
   AND s.status IN ('pending', 'running')
   AND s.total_items > 0
   AND s.completed_items + s.failed_items >= s.total_items;

CREATE TRIGGER processing_sessions_derive_status
    BEFORE UPDATE OF total_items, completed_items, failed_items, started_at
    ON processing_sessions FOR EACH ROW
    WHEN ((OLD.total_items, OLD.completed_items, OLD.failed_items, OLD.started_at)
          IS DISTINCT FROM (NEW.total_items, NEW.completed_items, NEW.failed_items, NEW.started_at))
    EXECUTE FUNCTION derive_session_status();

