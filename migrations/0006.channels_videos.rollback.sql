DROP TABLE videos;
DROP FUNCTION check_video_status_transition();
DROP TABLE channels;
