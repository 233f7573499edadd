DROP TABLE processing_jobs;
DROP FUNCTION track_session_progress();
DROP TABLE processing_sessions;
