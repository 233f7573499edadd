DROP TABLE chunks;
DROP TABLE transcripts;
