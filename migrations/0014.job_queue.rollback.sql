DROP FUNCTION claim_jobs(uuid, text[], integer, text);
DROP TRIGGER processing_jobs_notify_requeued ON processing_jobs;
DROP TRIGGER processing_jobs_notify_enqueued ON processing_jobs;
DROP FUNCTION processing_jobs_notify();
