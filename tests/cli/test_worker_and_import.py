"""`tubebase worker --once` and `tubebase import FILE.jsonl --user U`, run through
service.cli.main against a private database."""

import asyncio
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest

from service.chunking import chunk_text
from service.cli import main
from service.cpu import CpuPool
from service.db import connect, create_pool
from service.ingest import ingest_transcript
from service.queries import processing_jobs, sessions, users
from service.queries.processing_jobs import Job, NewJob
from service.queries.users import User
from service.settings import Settings, load_settings
from service.tooling import migrations
from service.worker import Worker, chunk_transcript

HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"
T = TypeVar("T")


@pytest.fixture
def fresh_url(make_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch) -> str:
    url = make_database()
    monkeypatch.setenv("DATABASE_URL", url)
    for name in (
        "TUBEBASE_CHUNK_TOKENS",
        "TUBEBASE_CHUNK_OVERLAP_TOKENS",
        "TUBEBASE_JOB_BACKOFF_SECONDS",
        "TUBEBASE_JOB_BACKOFF_MAX_SECONDS",
    ):
        monkeypatch.delenv(name, raising=False)
    return url


@pytest.fixture
def migrated_url(fresh_url: str) -> str:
    migrations.apply(fresh_url)
    return fresh_url


def run(url: str, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    async def go() -> T:
        conn = await connect(url)
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(go())


def create_user(url: str, username: str = "carol") -> User:
    return run(
        url,
        lambda c: users.create(
            c, username=username, email=f"{username}@example.com", password_hash=HASH
        ),
    )


def enqueue(url: str, user: User, **fields: Any) -> Job:
    async def work(conn: asyncpg.Connection) -> Job:
        job, _ = await processing_jobs.enqueue(conn, user_id=user.id, job=NewJob(**fields))
        return job

    return run(url, work)


def get_job(url: str, job: Job) -> Job:
    found = run(url, lambda c: processing_jobs.get_by_id(c, job_id=job.id, user_id=job.user_id))
    assert found is not None
    return found


def ingest(url: str, user: User, text: str, youtube_video_id: str = "video000001") -> uuid.UUID:
    async def work(conn: asyncpg.Connection) -> uuid.UUID:
        async with conn.transaction():
            result = await ingest_transcript(
                conn,
                user_id=user.id,
                youtube_video_id=youtube_video_id,
                source="youtube_auto",
                language="en",
                transcript_text=text,
                chunk_tokens=300,
                chunk_overlap_tokens=50,
                cpu=CpuPool(workers=1, queue=1),
            )
        return result.transcript.id

    return run(url, work)


def fetch(url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    return run(url, lambda c: c.fetch(query, *args))


def fetchval(url: str, query: str, *args: Any) -> Any:
    return run(url, lambda c: c.fetchval(query, *args))


def words(count: int) -> str:
    return " ".join(f"w{i:04d}" for i in range(count))


# --- worker -----------------------------------------------------------------------------


def test_worker_once_runs_the_built_in_jobs(
    migrated_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = migrated_url
    carol = create_user(url)
    text = words(400)
    transcript_id = ingest(url, carol, text)
    old_chunk_ids = {r["id"] for r in fetch(url, "SELECT id FROM chunks")}
    assert len(old_chunk_ids) == 3

    async def sessions_for(conn: asyncpg.Connection) -> None:
        await sessions.create(conn, user_id=carol.id, token_hash="a" * 64, ttl_seconds=-60)
        await sessions.create(conn, user_id=carol.id, token_hash="b" * 64, ttl_seconds=-1)
        await sessions.create(conn, user_id=carol.id, token_hash="c" * 64, ttl_seconds=3600)

    run(url, sessions_for)
    rechunk = enqueue(
        url,
        carol,
        job_type="chunk_transcript",
        entity_type="transcript",
        entity_id=transcript_id,
        payload={"chunk_tokens": 30, "chunk_overlap_tokens": 6},
    )
    purge = enqueue(url, carol, job_type="purge_sessions")
    missing = enqueue(
        url, carol, job_type="chunk_transcript", entity_type="transcript", entity_id=uuid.uuid4()
    )
    unknown = enqueue(url, carol, job_type="send_email", priority=1000)

    assert main(["worker", "--once", "--concurrency", "2", "--name", "test-worker"]) == 0

    assert capsys.readouterr().out.strip().splitlines()[-1] == "ran 3 jobs"

    done = get_job(url, rechunk)
    expected = chunk_text(text, target_tokens=30, overlap_tokens=6)
    assert done.status == "completed", done.error_message
    assert done.result == {"chunks": len(expected)}
    assert done.attempts == 1
    rows = fetch(
        url,
        "SELECT id, chunk_index, chunk_text FROM chunks WHERE transcript_id = $1 "
        "ORDER BY chunk_index",
        transcript_id,
    )
    assert [(r["chunk_index"], r["chunk_text"]) for r in rows] == [
        (c.chunk_index, c.chunk_text) for c in expected
    ]
    assert len(rows) > 3
    assert not {r["id"] for r in rows} & old_chunk_ids

    purged = get_job(url, purge)
    assert purged.status == "completed"
    assert purged.result == {"purged": 2}
    left = fetch(url, "SELECT token_hash FROM sessions")
    assert [r["token_hash"] for r in left] == ["c" * 64]

    failed = get_job(url, missing)
    assert failed.status == "failed"
    assert failed.attempts == 1
    assert failed.error_message == f"transcript {missing.entity_id} not found"
    assert failed.finished_at is not None

    untouched = get_job(url, unknown)
    assert untouched.status == "queued"
    assert untouched.attempts == 0
    assert untouched.locked_by is None


def test_worker_once_with_nothing_to_do(
    migrated_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["worker", "--once"]) == 0

    assert capsys.readouterr().out.strip() == "ran 0 jobs"


def test_worker_applies_pending_migrations_first(
    fresh_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["worker", "--once"]) == 0

    assert all(item.applied for item in migrations.status(fresh_url))
    assert capsys.readouterr().out.strip() == "ran 0 jobs"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"payload": {"chunk_tokens": 20, "chunk_overlap_tokens": 20}},
            "chunk_overlap_tokens (20) must be below half of chunk_tokens (20)",
            id="bad-overlap",
        ),
        pytest.param(
            {"entity_type": "video"},
            "chunk_transcript needs entity_type 'transcript' and an entity_id",
            id="wrong-entity-type",
        ),
    ],
)
def test_a_job_that_cannot_succeed_fails_at_once(
    migrated_url: str, fields: dict[str, Any], message: str
) -> None:
    carol = create_user(migrated_url)
    transcript_id = ingest(migrated_url, carol, words(50))
    job = enqueue(
        migrated_url,
        carol,
        job_type="chunk_transcript",
        max_attempts=5,
        **{"entity_type": "transcript", "entity_id": transcript_id, **fields},
    )

    assert main(["worker", "--once"]) == 0

    failed = get_job(migrated_url, job)
    assert failed.status == "failed"
    assert failed.attempts == 1
    assert failed.error_message == message
    assert fetchval(migrated_url, "SELECT count(*) FROM chunks") == 1


def test_an_unexpected_error_is_retried_with_back_off(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TUBEBASE_JOB_BACKOFF_SECONDS", "30")
    carol = create_user(migrated_url)
    transcript_id = ingest(migrated_url, carol, words(50))
    chunk_ids = fetch(migrated_url, "SELECT id FROM chunks")
    job = enqueue(
        migrated_url,
        carol,
        job_type="chunk_transcript",
        entity_type="transcript",
        entity_id=transcript_id,
        payload={"chunk_tokens": "many"},
    )

    assert main(["worker", "--once"]) == 0

    now: datetime = fetchval(migrated_url, "SELECT now()")
    retried = get_job(migrated_url, job)
    assert retried.status == "queued"
    assert retried.attempts == 1
    assert retried.error_message is not None
    assert retried.error_message.startswith("ValueError: ")
    assert abs((retried.run_after - now).total_seconds() - 30) <= 2
    assert fetch(migrated_url, "SELECT id FROM chunks") == chunk_ids


def test_worker_runs_every_users_jobs(
    migrated_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    jobs = [
        enqueue(migrated_url, create_user(migrated_url, name), job_type="purge_sessions")
        for name in ("carol", "dave", "erin")
    ]

    assert main(["worker", "--once", "--concurrency", "1"]) == 0

    assert capsys.readouterr().out.strip() == "ran 3 jobs"
    assert {get_job(migrated_url, j).status for j in jobs} == {"completed"}


# --- import -----------------------------------------------------------------------------

CHANNEL = "UC" + "s" * 22
V1, V3, V4, V5, V6 = "video0000v1", "video0000v3", "video0000v4", "video0000v5", "video0000v6"

MIXED_LINES = [
    # 1: valid channel
    {"type": "channel", "youtube_channel_id": CHANNEL, "name": "Science", "metadata": {"l": 1}},
    # 2: valid video in that channel
    {
        "type": "video",
        "youtube_video_id": V1,
        "channel": CHANNEL,
        "title": "Cells",
        "tags": ["bio"],
        "upload_date": "2020-01-02",
        "duration_seconds": 60,
        "is_favorite": True,
    },
    # 3: bad youtube id
    {"type": "video", "youtube_video_id": "short", "title": "bad id"},
    # 4: valid transcript for the video of line 2
    {"type": "transcript", "youtube_video_id": V1, "transcript_text": "mitochondria power"},
    # 5: malformed JSON
    '{"type": "video", "youtube_video_id": ',
    # 6: blank
    "",
    # 7: unknown channel
    {"type": "video", "youtube_video_id": V6, "channel": "UC" + "z" * 22},
    # 8: missing required field
    {"type": "channel", "youtube_channel_id": "UC" + "m" * 22},
    # 9: unknown type
    {"type": "playlist", "id": "PL123"},
    # 10: valid transcript with given chunks, creating its video
    {
        "type": "transcript",
        "youtube_video_id": V3,
        "transcript_text": "given chunks here",
        "title": "Third",
        "source": "upload",
        "language": "de",
        "chunks": [
            {"chunk_index": 0, "chunk_text": "given", "metadata": {"s": "ada"}},
            {"chunk_index": 1, "chunk_text": "chunks here"},
        ],
    },
    # 11: fails in the database (NUL in a chunk): its video must not stay behind
    {
        "type": "transcript",
        "youtube_video_id": V4,
        "transcript_text": "x",
        "chunks": [{"chunk_index": 0, "chunk_text": "a\u0000b"}],
    },
    # 12: valid bare video
    {"type": "video", "youtube_video_id": V5},
    # 13: duplicate chunk_index
    {
        "type": "transcript",
        "youtube_video_id": V5,
        "transcript_text": "t",
        "chunks": [{"chunk_index": 0, "chunk_text": "a"}, {"chunk_index": 0, "chunk_text": "b"}],
    },
    # 14: unknown field
    {"type": "video", "youtube_video_id": V6, "views": 10},
    # 15: no type
    {"youtube_video_id": V6},
]
BAD_LINES = {
    3: "youtube_video_id",
    5: "truncated",
    7: "not found",
    8: "name",
    9: "type",
    11: "",
    13: "chunk_index",
    14: "views",
    15: "type",
}


def jsonl(lines: list[Any]) -> str:
    return "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)


def rejected_lines(stderr: str) -> dict[int, str]:
    return {int(m.group(1)): m.group(2) for m in re.finditer(r"^line (\d+): (.*)$", stderr, re.M)}


def library_state(url: str) -> dict[str, Any]:
    return {
        "channels": [
            tuple(r)
            for r in fetch(url, "SELECT youtube_channel_id, name, metadata::text FROM channels")
        ],
        "videos": sorted(
            tuple(r)
            for r in fetch(
                url,
                "SELECT v.youtube_video_id, v.title, c.youtube_channel_id, v.tags, "
                "v.upload_date::text, v.duration_seconds, v.is_favorite "
                "FROM videos v LEFT JOIN channels c ON c.id = v.channel_id",
            )
        ),
        "transcripts": sorted(
            tuple(r)
            for r in fetch(
                url,
                "SELECT v.youtube_video_id, t.source, t.language, t.transcript_text "
                "FROM transcripts t JOIN videos v ON v.id = t.video_id",
            )
        ),
        "chunks": sorted(
            tuple(r)
            for r in fetch(
                url,
                "SELECT v.youtube_video_id, c.chunk_index, c.chunk_text, c.metadata::text "
                "FROM chunks c JOIN transcripts t ON t.id = c.transcript_id "
                "JOIN videos v ON v.id = t.video_id",
            )
        ),
    }


EXPECTED_STATE = {
    "channels": [(CHANNEL, "Science", '{"l": 1}')],
    "videos": [
        (V1, "Cells", CHANNEL, ["bio"], "2020-01-02", 60, True),
        (V3, "Third", None, [], None, None, False),
        (V5, None, None, [], None, None, False),
    ],
    "transcripts": [
        (V1, "youtube_auto", "en", "mitochondria power"),
        (V3, "upload", "de", "given chunks here"),
    ],
    "chunks": [
        (V1, 0, "mitochondria power", "{}"),
        (V3, 0, "given", '{"s": "ada"}'),
        (V3, 1, "chunks here", "{}"),
    ],
}


def test_import_keeps_every_valid_line_and_reports_the_bad_ones(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_user(migrated_url)
    source = tmp_path / "library.jsonl"
    source.write_text(jsonl(MIXED_LINES), encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"

    code = main(["import", str(source), "--user", "carol", "--rejects", str(rejects), "--quiet"])

    out, err = capsys.readouterr()
    assert code == 1
    reported = rejected_lines(err)
    assert set(reported) == set(BAD_LINES)
    for number, fragment in BAD_LINES.items():
        assert fragment in reported[number], (number, reported[number])
        assert reported[number].strip(), number
    assert out.strip().splitlines()[-1] == (
        "imported 1 channels, 2 transcripts, 2 videos; rejected 9 lines"
    )
    assert library_state(migrated_url) == EXPECTED_STATE
    raw_lines = jsonl(MIXED_LINES).splitlines()
    assert rejects.read_text(encoding="utf-8").splitlines() == [
        raw_lines[n - 1] for n in sorted(BAD_LINES)
    ]


def test_reimporting_the_same_file_duplicates_nothing(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_user(migrated_url)
    source = tmp_path / "library.jsonl"
    source.write_text(jsonl(MIXED_LINES), encoding="utf-8")

    first = main(["import", str(source), "--user", "carol", "--quiet"])
    first_err = capsys.readouterr().err
    second = main(["import", str(source), "--user", "carol", "--quiet"])
    out, second_err = capsys.readouterr()

    assert first == second == 1
    assert set(rejected_lines(second_err)) == set(rejected_lines(first_err)) == set(BAD_LINES)
    assert out.strip().splitlines()[-1] == (
        "imported 1 channels, 2 transcripts, 2 videos; rejected 9 lines"
    )
    assert library_state(migrated_url) == EXPECTED_STATE


def test_reimporting_updates_what_changed(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_user(migrated_url)
    first = tmp_path / "first.jsonl"
    first.write_text(jsonl(MIXED_LINES[:4]), encoding="utf-8")
    changed = tmp_path / "changed.jsonl"
    changed.write_text(
        jsonl(
            [
                {"type": "channel", "youtube_channel_id": CHANNEL, "name": "Science 2"},
                {"type": "video", "youtube_video_id": V1, "title": "Cells, revised"},
                {"type": "transcript", "youtube_video_id": V1, "transcript_text": "new words"},
            ]
        ),
        encoding="utf-8",
    )

    assert main(["import", str(first), "--user", "carol", "--quiet"]) == 1
    assert main(["import", str(changed), "--user", "carol", "--quiet"]) == 0

    assert fetch(migrated_url, "SELECT name FROM channels")[0]["name"] == "Science 2"
    videos = fetch(migrated_url, "SELECT title, channel_id IS NOT NULL AS linked FROM videos")
    assert [(r["title"], r["linked"]) for r in videos] == [("Cells, revised", True)]
    chunks = fetch(migrated_url, "SELECT chunk_text FROM chunks")
    assert [r["chunk_text"] for r in chunks] == ["new words"]
    assert fetchval(migrated_url, "SELECT count(*) FROM transcripts") == 1
    capsys.readouterr()


def test_an_all_valid_file_exits_0_with_a_progress_bar(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_user(migrated_url)
    source = tmp_path / "good.jsonl"
    valid = [line for n, line in enumerate(MIXED_LINES, start=1) if n not in BAD_LINES]
    source.write_text(jsonl(valid), encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"

    code = main(["import", str(source), "--user", "carol", "--rejects", str(rejects)])

    out, err = capsys.readouterr()
    assert code == 0
    assert out.strip().splitlines()[-1] == (
        "imported 1 channels, 2 transcripts, 2 videos; rejected 0 lines"
    )
    assert rejected_lines(err) == {}
    assert "importing good.jsonl" in err
    assert rejects.read_bytes() == b""  # rewritten each run, so no stale rejects linger
    assert library_state(migrated_url) == EXPECTED_STATE


def test_import_belongs_to_the_named_user_only(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    carol = create_user(migrated_url, "carol")
    create_user(migrated_url, "dave")
    source = tmp_path / "one.jsonl"
    source.write_text(jsonl([{"type": "video", "youtube_video_id": V1}]), encoding="utf-8")

    assert main(["import", str(source), "--user", "carol", "--quiet"]) == 0
    assert main(["import", str(source), "--user", "dave", "--quiet"]) == 0

    owners = fetch(migrated_url, "SELECT u.username FROM videos v JOIN users u ON u.id = v.user_id")
    assert sorted(r["username"] for r in owners) == ["carol", "dave"]
    assert carol.username == "carol"
    capsys.readouterr()


def test_import_for_an_unknown_user_exits_2(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "one.jsonl"
    source.write_text(jsonl([{"type": "video", "youtube_video_id": V1}]), encoding="utf-8")

    code = main(["import", str(source), "--user", "ghost", "--quiet"])

    assert code == 2
    assert "no user named 'ghost'" in capsys.readouterr().err
    assert fetchval(migrated_url, "SELECT count(*) FROM videos") == 0


def test_import_of_a_missing_file_exits_2(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_user(migrated_url)
    missing = tmp_path / "nope.jsonl"

    code = main(["import", str(missing), "--user", "carol"])

    assert code == 2
    assert f"no such file: {missing}" in capsys.readouterr().err


def test_import_of_an_empty_file_imports_nothing(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_user(migrated_url)
    source = tmp_path / "empty.jsonl"
    source.write_text("\n\n", encoding="utf-8")

    code = main(["import", str(source), "--user", "carol", "--quiet"])

    assert code == 0
    assert capsys.readouterr().out.strip() == "imported nothing; rejected 0 lines"


def test_work_is_rolled_back_when_the_job_was_cancelled_while_it_ran(
    migrated_url: str,
) -> None:
    """The worker's promise: a job's work and its completion commit together. A job
    cancelled while its handler runs cannot complete, so its work must not land."""
    carol = create_user(migrated_url)
    transcript_id = ingest(migrated_url, carol, words(400))
    before = fetch(migrated_url, "SELECT id, chunk_text FROM chunks ORDER BY chunk_index")
    job = enqueue(
        migrated_url,
        carol,
        job_type="chunk_transcript",
        entity_type="transcript",
        entity_id=transcript_id,
        payload={"chunk_tokens": 20, "chunk_overlap_tokens": 0},
    )

    async def go() -> int:
        pool = await create_pool(migrated_url, min_size=1, max_size=3)
        try:

            async def cancelled_meanwhile(
                conn: asyncpg.Connection, claimed: Job, settings: Settings
            ) -> Any:
                async with pool.acquire() as other:
                    await processing_jobs.cancel(other, job_id=claimed.id, user_id=claimed.user_id)
                return await chunk_transcript(conn, claimed, settings)

            worker = Worker(
                pool,
                load_settings({}),
                handlers={"chunk_transcript": cancelled_meanwhile},
            )
            return await worker.run_batch()
        finally:
            await pool.close()

    assert asyncio.run(go()) == 1

    assert get_job(migrated_url, job).status == "cancelled"
    after = fetch(migrated_url, "SELECT id, chunk_text FROM chunks ORDER BY chunk_index")
    assert after == before


def test_a_line_that_is_not_utf8_is_rejected_without_losing_the_others(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_user(migrated_url)
    source = tmp_path / "latin1.jsonl"
    source.write_bytes(
        json.dumps({"type": "video", "youtube_video_id": V1}).encode() + b"\n"
        b'{"type": "video", "youtube_video_id": "video0000v2", "title": "caf\xe9"}\n'
        + json.dumps({"type": "video", "youtube_video_id": V3}).encode()
        + b"\n"
    )

    code = main(["import", str(source), "--user", "carol", "--quiet"])

    assert code == 1
    assert set(rejected_lines(capsys.readouterr().err)) == {2}
    videos = fetch(migrated_url, "SELECT youtube_video_id FROM videos ORDER BY youtube_video_id")
    assert [r["youtube_video_id"] for r in videos] == [V1, V3]


def test_a_line_nested_too_deeply_is_rejected_without_losing_the_others(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_user(migrated_url)
    deep = "[" * 5000 + "]" * 5000

    def nest(line: dict[str, Any]) -> str:
        """The line as JSON, its {"a": 0} metadata holding `deep` in place of the 0."""
        return json.dumps(line).replace('{"a": 0}', '{"a": ' + deep + "}")

    marker = {"a": 0}
    lines = [
        json.dumps({"type": "video", "youtube_video_id": V1}),
        nest({"type": "channel", "youtube_channel_id": CHANNEL, "name": "n", "metadata": marker}),
        nest(
            {
                "type": "transcript",
                "youtube_video_id": V3,
                "transcript_text": "t",
                "metadata": marker,
            }
        ),
        nest(
            {
                "type": "transcript",
                "youtube_video_id": V4,
                "transcript_text": "t",
                "chunks": [{"chunk_index": 0, "chunk_text": "c", "metadata": marker}],
            }
        ),
        deep,
        json.dumps({"type": "video", "youtube_video_id": V5, "title": "After"}),
        json.dumps({"type": "transcript", "youtube_video_id": V5, "transcript_text": "kept"}),
    ]
    source = tmp_path / "deep.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"

    code = main(["import", str(source), "--user", "carol", "--rejects", str(rejects), "--quiet"])

    out, err = capsys.readouterr()
    assert code == 1
    reported = rejected_lines(err)
    assert set(reported) == {2, 3, 4, 5}
    assert {reported[n] for n in (2, 3, 4)} == {"JSON is nested too deeply"}
    # A bare list is refused for its type before its depth is looked at.
    assert "object" in reported[5]
    assert out.strip().splitlines()[-1] == ("imported 1 transcripts, 2 videos; rejected 4 lines")
    assert rejects.read_text(encoding="utf-8").splitlines() == lines[1:5]
    videos = fetch(migrated_url, "SELECT youtube_video_id, title FROM videos ORDER BY 1")
    assert [tuple(r) for r in videos] == [(V1, None), (V5, "After")]
    transcripts = fetch(migrated_url, "SELECT transcript_text FROM transcripts")
    assert [r["transcript_text"] for r in transcripts] == ["kept"]
    assert fetchval(migrated_url, "SELECT count(*) FROM channels") == 0


def test_import_takes_an_integral_float_for_an_integer_as_the_bodies_do(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_user(migrated_url)
    source = tmp_path / "floats.jsonl"
    source.write_text(
        jsonl(
            [
                {"type": "video", "youtube_video_id": V1, "duration_seconds": 60.0},
                {"type": "video", "youtube_video_id": V3, "duration_seconds": 60.5},
            ]
        ),
        encoding="utf-8",
    )

    code = main(["import", str(source), "--user", "carol", "--quiet"])

    _, err = capsys.readouterr()
    assert code == 1
    assert list(rejected_lines(err)) == [2] and "duration_seconds" in rejected_lines(err)[2]
    stored = fetch(migrated_url, "SELECT youtube_video_id, duration_seconds FROM videos")
    assert [tuple(r) for r in stored] == [(V1, 60)]
