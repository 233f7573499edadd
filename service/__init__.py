"""tubebase: the PostgreSQL data service behind a family of video-knowledge apps."""
