"""The named indexes of the library and meeting migrations (0006-0009), as 0010 left
them (its keyset indexes are ascending)."""

import asyncpg
import pytest


async def index_definitions(db: asyncpg.Connection) -> dict[str, str]:
    rows = await db.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    )
    return {r["indexname"]: r["indexdef"] for r in rows}


@pytest.mark.parametrize(
    ("name", "table", "tail"),
    [
        ("idx_channels_user_status", "channels", "btree (user_id, status)"),
        ("idx_channels_user_created", "channels", "btree (user_id, created_at, id)"),
        ("idx_channels_metadata", "channels", "gin (metadata)"),
        ("idx_videos_user_created", "videos", "btree (user_id, created_at, id)"),
        ("idx_videos_channel_id", "videos", "btree (channel_id)"),
        ("idx_videos_channel_name", "videos", "btree (channel_name)"),
        ("idx_videos_is_favorite", "videos", "btree (is_favorite)"),
        ("idx_videos_status", "videos", "btree (status)"),
        ("idx_videos_tags", "videos", "gin (tags)"),
        ("idx_transcripts_user_created", "transcripts", "btree (user_id, created_at, id)"),
        ("idx_transcripts_metadata", "transcripts", "gin (metadata)"),
        ("idx_chunks_search_vector", "chunks", "gin (search_vector)"),
        ("idx_chunks_metadata", "chunks", "gin (metadata)"),
        (
            "idx_processing_sessions_user_created",
            "processing_sessions",
            "btree (user_id, created_at, id)",
        ),
        ("idx_processing_sessions_configuration", "processing_sessions", "gin (configuration)"),
        (
            "idx_processing_jobs_claim",
            "processing_jobs",
            "btree (priority DESC, run_after, created_at) WHERE ((status)::text = 'queued'::text)",
        ),
        (
            "idx_processing_jobs_running",
            "processing_jobs",
            "btree (locked_at) WHERE ((status)::text = 'running'::text)",
        ),
        (
            "idx_processing_jobs_user_created",
            "processing_jobs",
            "btree (user_id, created_at, id)",
        ),
        ("idx_processing_jobs_entity", "processing_jobs", "btree (entity_type, entity_id)"),
        ("idx_processing_jobs_status", "processing_jobs", "btree (status)"),
        ("idx_processing_jobs_job_type", "processing_jobs", "btree (job_type)"),
        ("idx_processing_jobs_session_id", "processing_jobs", "btree (session_id)"),
        ("idx_processing_jobs_result", "processing_jobs", "gin (result)"),
        ("idx_meetings_user_created", "meetings", "btree (user_id, created_at, id)"),
        ("idx_meetings_title", "meetings", "btree (title)"),
        ("idx_meetings_status", "meetings", "btree (user_id, status)"),
        ("idx_meetings_platform_meeting_id", "meetings", "btree (platform_meeting_id)"),
        (
            "idx_meetings_title_search",
            "meetings",
            "gin (to_tsvector('english'::regconfig, (title)::text))",
        ),
        ("idx_participants_name", "participants", "btree (name)"),
        ("idx_participants_email", "participants", "btree (email)"),
        ("idx_participants_meeting_id", "participants", 'btree (meeting_id, "position")'),
        ("idx_syntheses_user_created", "syntheses", "btree (user_id, created_at, id)"),
        (
            "idx_syntheses_summary_search",
            "syntheses",
            "gin (to_tsvector('english'::regconfig, summary))",
        ),
        (
            "idx_syntheses_pending_email",
            "syntheses",
            "btree (user_id, created_at) WHERE (email_sent_at IS NULL)",
        ),
    ],
)
async def test_named_index_exists(db: asyncpg.Connection, name: str, table: str, tail: str) -> None:
    definition = (await index_definitions(db)).get(name)

    assert definition is not None, name
    assert f" ON public.{table} " in definition or f" ON {table} " in definition
    assert definition.endswith(f"USING {tail}"), definition


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("uq_channels_user_youtube_channel_id", "(user_id, youtube_channel_id)"),
        ("uq_videos_user_youtube_video_id", "(user_id, youtube_video_id)"),
        ("uq_transcripts_video_source_language", "(video_id, source, language)"),
        ("uq_chunks_transcript_chunk_index", "(transcript_id, chunk_index)"),
        ("uq_processing_jobs_user_idempotency_key", "(user_id, idempotency_key)"),
        ("uq_syntheses_meeting_id", "(meeting_id)"),
        ("uq_participants_meeting_email", "(meeting_id, lower((email)::text))"),
    ],
)
async def test_unique_indexes(db: asyncpg.Connection, name: str, columns: str) -> None:
    definition = (await index_definitions(db)).get(name)

    assert definition is not None, name
    assert definition.startswith("CREATE UNIQUE INDEX")
    assert definition.endswith(columns), definition
