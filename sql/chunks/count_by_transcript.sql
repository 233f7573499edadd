SELECT count(*) FROM chunks WHERE transcript_id = $1 AND user_id = $2;
