SELECT count(*) FROM participants WHERE meeting_id = $1 AND user_id = $2;
