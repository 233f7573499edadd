"""Hostile input outside HTTP: `tubebase admin grant` finds a username whatever its
case; the importer refuses video lines with dates PostgreSQL would store as
something else and transcripts over the chunk cap (keeping the other lines); the
worker's rechunk job refuses the cap and a large overlap without losing the chunks
it would have replaced; and the settings behind login throttling, body size, CORS
and chunk overlap."""

import asyncio
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest

from service.chunking import MAX_CHUNKS
from service.cli import main
from service.cpu import CpuPool
from service.db import connect
from service.ingest import ingest_transcript
from service.queries import processing_jobs, users
from service.queries.processing_jobs import Job, NewJob
from service.settings import ConfigError, load_settings
from service.tooling import migrations

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"
T = TypeVar("T")


@pytest.fixture
def migrated_url(make_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch) -> str:
    url = make_database()
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("TUBEBASE_CHUNK_TOKENS", "TUBEBASE_CHUNK_OVERLAP_TOKENS"):
        monkeypatch.delenv(name, raising=False)
    migrations.apply(url)
    return url


def run(url: str, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    async def go() -> T:
        conn = await connect(url)
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(go())


def create_user(url: str, username: str = "carol") -> users.User:
    return run(
        url,
        lambda c: users.create(
            c, username=username, email=f"{username}@example.com", password_hash=HASH
        ),
    )


def fetchval(url: str, query: str, *args: Any) -> Any:
    return run(url, lambda c: c.fetchval(query, *args))


def words_of_ten_tokens(count: int) -> str:
    """`count` words of 39 characters: with the space, ten estimated tokens each."""
    return " ".join(f"w{i:038d}" for i in range(count))


# --- tubebase admin ----------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["ada", "ADA", "Ada", "aDA"])
def test_admin_grant_finds_the_username_whatever_its_case(
    migrated_url: str, capsys: pytest.CaptureFixture[str], spelling: str
) -> None:
    ada = create_user(migrated_url, "Ada")

    assert main(["admin", "grant", spelling]) == 0
    assert fetchval(migrated_url, "SELECT is_admin FROM users WHERE id = $1", ada.id) is True

    assert main(["admin", "revoke", spelling.swapcase()]) == 0
    assert fetchval(migrated_url, "SELECT is_admin FROM users WHERE id = $1", ada.id) is False
    assert main(["admin", "grant", "nobody"]) == 1


# --- the importer ------------------------------------------------------------------------


def jsonl(lines: list[Any]) -> str:
    return "".join(json.dumps(line) + "\n" for line in lines)


def rejected_lines(stderr: str) -> dict[int, str]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^line (\d+): (.*)$", stderr, re.M)}


def import_lines(
    url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[Any]
) -> tuple[int, dict[int, str]]:
    source = tmp_path / "library.jsonl"
    source.write_text(jsonl(lines), encoding="utf-8")
    code = main(["import", str(source), "--user", "CAROL", "--quiet"])
    _, err = capsys.readouterr()
    return code, rejected_lines(err)


def test_import_refuses_video_dates_at_pythons_first_or_last_day(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_user(migrated_url)
    lines = [
        {"type": "video", "youtube_video_id": "video000001", "upload_date": "0001-01-01"},
        {"type": "video", "youtube_video_id": "video000002", "upload_date": "9999-12-31"},
        {"type": "video", "youtube_video_id": "video000003", "upload_date": "0001-01-02"},
        {"type": "video", "youtube_video_id": "video000004", "upload_date": "9999-12-30"},
    ]

    code, rejected = import_lines(migrated_url, tmp_path, capsys, lines)

    assert code == 1
    assert set(rejected) == {1, 2}
    assert all("upload_date" in reason for reason in rejected.values()), rejected
    stored = run(
        migrated_url,
        lambda c: c.fetch("SELECT youtube_video_id, upload_date::text FROM videos ORDER BY 1"),
    )
    assert [tuple(r) for r in stored] == [
        ("video000003", "0001-01-02"),
        ("video000004", "9999-12-30"),
    ]


def test_import_refuses_a_transcript_that_would_make_more_chunks_than_the_cap(
    migrated_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TUBEBASE_CHUNK_TOKENS", "10")
    monkeypatch.setenv("TUBEBASE_CHUNK_OVERLAP_TOKENS", "0")
    create_user(migrated_url)
    lines = [
        {
            "type": "transcript",
            "youtube_video_id": "video000001",
            "transcript_text": words_of_ten_tokens(MAX_CHUNKS + 1),
        },
        {"type": "transcript", "youtube_video_id": "video000002", "transcript_text": "fine"},
    ]

    code, rejected = import_lines(migrated_url, tmp_path, capsys, lines)

    assert code == 1
    assert set(rejected) == {1}
    assert "would make 20001 chunks" in rejected[1], rejected
    # The refused line's video is not left behind; the next line is imported.
    videos = run(migrated_url, lambda c: c.fetch("SELECT youtube_video_id FROM videos"))
    assert [r["youtube_video_id"] for r in videos] == ["video000002"]
    assert fetchval(migrated_url, "SELECT count(*) FROM chunks") == 1


def test_import_refuses_more_given_chunks_than_the_cap(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cap holds for chunks a caller cut too, as over HTTP (POST /transcripts)."""
    create_user(migrated_url)
    given = [{"chunk_index": i, "chunk_text": "c"} for i in range(MAX_CHUNKS + 1)]
    lines = [
        {"type": "transcript", "youtube_video_id": "video000001", "transcript_text": "t",
         "chunks": given},
    ]  # fmt: skip

    code, rejected = import_lines(migrated_url, tmp_path, capsys, lines)

    assert code == 1
    assert set(rejected) == {1}
    assert str(MAX_CHUNKS) in rejected[1], rejected
    assert fetchval(migrated_url, "SELECT count(*) FROM chunks") == 0
    assert fetchval(migrated_url, "SELECT count(*) FROM videos") == 0


# --- the worker --------------------------------------------------------------------------


def ingest(url: str, user: users.User, text: str) -> uuid.UUID:
    async def work(conn: asyncpg.Connection) -> uuid.UUID:
        async with conn.transaction():
            result = await ingest_transcript(
                conn,
                user_id=user.id,
                youtube_video_id="video000001",
                source="youtube_auto",
                language="en",
                transcript_text=text,
                chunk_tokens=300,
                chunk_overlap_tokens=50,
                cpu=CpuPool(workers=1, queue=1),
            )
        return result.transcript.id

    return run(url, work)


def enqueue(url: str, user: users.User, **fields: Any) -> Job:
    async def work(conn: asyncpg.Connection) -> Job:
        job, _ = await processing_jobs.enqueue(conn, user_id=user.id, job=NewJob(**fields))
        return job

    return run(url, work)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        pytest.param(
            {"chunk_tokens": 10, "chunk_overlap_tokens": 0},
            "this text would make 20001 chunks at chunk_tokens=10; at most 20000 per "
            "transcript: use larger chunks",
            id="over-the-cap",
        ),
        pytest.param(
            {"chunk_tokens": 10, "chunk_overlap_tokens": 9},
            "chunk_overlap_tokens (9) must be below half of chunk_tokens (10)",
            id="overlap-9-of-10",
        ),
        pytest.param(
            {"chunk_tokens": 40, "chunk_overlap_tokens": 20},
            "chunk_overlap_tokens (20) must be below half of chunk_tokens (40)",
            id="overlap-half",
        ),
    ],
)
def test_a_rechunk_the_caps_refuse_fails_at_once_and_keeps_the_chunks(
    migrated_url: str, payload: dict[str, int], message: str
) -> None:
    carol = create_user(migrated_url)
    transcript_id = ingest(migrated_url, carol, words_of_ten_tokens(MAX_CHUNKS + 1))
    before = run(migrated_url, lambda c: c.fetch("SELECT * FROM chunks ORDER BY id"))
    job = enqueue(
        migrated_url,
        carol,
        job_type="chunk_transcript",
        entity_type="transcript",
        entity_id=transcript_id,
        max_attempts=5,
        payload=payload,
    )

    assert main(["worker", "--once"]) == 0

    failed = run(
        migrated_url, lambda c: processing_jobs.get_by_id(c, job_id=job.id, user_id=carol.id)
    )
    assert failed is not None
    assert (failed.status, failed.attempts, failed.error_message) == ("failed", 1, message)
    assert run(migrated_url, lambda c: c.fetch("SELECT * FROM chunks ORDER BY id")) == before


# --- settings ----------------------------------------------------------------------------


def test_the_hardening_defaults() -> None:
    settings = load_settings({})

    assert settings.login_account_failures == 5
    assert settings.login_address_failures == 100
    assert settings.login_window_seconds == 900
    assert settings.login_max_wait_seconds == 900
    assert settings.max_body_bytes == 32 * 1024 * 1024
    assert settings.cors_origins == ()


def test_the_hardening_variables_are_read() -> None:
    settings = load_settings(
        {
            "TUBEBASE_LOGIN_ACCOUNT_FAILURES": "3",
            "TUBEBASE_LOGIN_ADDRESS_FAILURES": "40",
            "TUBEBASE_LOGIN_WINDOW_SECONDS": "60",
            "TUBEBASE_LOGIN_MAX_WAIT_SECONDS": "30",
            "TUBEBASE_MAX_BODY_BYTES": "2048",
            "TUBEBASE_CORS_ORIGINS": " https://app.example , https://admin.example ,",
        }
    )

    assert (settings.login_account_failures, settings.login_address_failures) == (3, 40)
    assert (settings.login_window_seconds, settings.login_max_wait_seconds) == (60, 30)
    assert settings.max_body_bytes == 2048
    assert settings.cors_origins == ("https://app.example", "https://admin.example")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TUBEBASE_CHUNK_TOKENS": "100", "TUBEBASE_CHUNK_OVERLAP_TOKENS": "50"}, "below half"),
        ({"TUBEBASE_CHUNK_TOKENS": "10", "TUBEBASE_CHUNK_OVERLAP_TOKENS": "9"}, "below half"),
        ({"TUBEBASE_CHUNK_TOKENS": "300", "TUBEBASE_CHUNK_OVERLAP_TOKENS": "150"}, "below half"),
        ({"TUBEBASE_LOGIN_ACCOUNT_FAILURES": "0"}, "TUBEBASE_LOGIN_ACCOUNT_FAILURES"),
        ({"TUBEBASE_LOGIN_ADDRESS_FAILURES": "0"}, "TUBEBASE_LOGIN_ADDRESS_FAILURES"),
        ({"TUBEBASE_LOGIN_WINDOW_SECONDS": "0"}, "TUBEBASE_LOGIN_WINDOW_SECONDS"),
        ({"TUBEBASE_LOGIN_MAX_WAIT_SECONDS": "0"}, "TUBEBASE_LOGIN_MAX_WAIT_SECONDS"),
        ({"TUBEBASE_MAX_BODY_BYTES": "100"}, "TUBEBASE_MAX_BODY_BYTES"),
        ({"TUBEBASE_MAX_BODY_BYTES": "lots"}, "TUBEBASE_MAX_BODY_BYTES"),
    ],
)
def test_bad_hardening_values_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env)


def test_an_overlap_just_below_half_is_accepted() -> None:
    settings = load_settings(
        {"TUBEBASE_CHUNK_TOKENS": "100", "TUBEBASE_CHUNK_OVERLAP_TOKENS": "49"}
    )

    assert (settings.chunk_tokens, settings.chunk_overlap_tokens) == (100, 49)
