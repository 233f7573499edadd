DROP TABLE syntheses;
DROP TABLE participants;
DROP TABLE meetings;
DROP FUNCTION check_meeting_status_transition();
