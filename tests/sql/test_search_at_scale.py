"""Search and list plans as prepared statements, ranking quality against a full
ranking, and the bound on ranked matches, on a seeded library of ~26,000 chunks of
three users in a database of its own (committed once for the module, analyzed like
a live one).

Plans are read with EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE after ten executions of
the same prepared statement on a connection set up as the service's are."""

import json
import random
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import asyncpg
import msgspec
import pytest

from service.db import TOTAL_CAP, connect, sql
from service.queries import chunks, messages
from service.tooling import migrations

COMMON = "vorumcommon"  # in ~40% of the big user's chunks
MEDIUM = "dexamedium"  # ~2%
RARE = "zyquarare"  # 3 chunks
VIDEOS, CHUNKS_PER_VIDEO = 40, 300
WORDS = [f"w{n}x" for n in range(3000)]


class Library:
    def __init__(self, url: str, big: uuid.UUID, small: uuid.UUID) -> None:
        self.url, self.big, self.small = url, big, small
        self.videos: list[uuid.UUID] = []
        self.channels: list[uuid.UUID] = []
        self.conversation: uuid.UUID | None = None
        self.deep_message: tuple[Any, Any] = (None, None)
        self.late_conversation: uuid.UUID | None = None


def _text(rng: random.Random, index: int) -> str:
    words = rng.choices(WORDS, k=24)
    if rng.random() < 0.4:
        words[rng.randrange(24)] = COMMON
    if rng.random() < 0.02:
        words[rng.randrange(24)] = MEDIUM
    if index in (7, 4_007, 9_007):
        words[rng.randrange(24)] = RARE
    return " ".join(words)


async def _seed(url: str) -> Library:
    conn = await connect(url)
    try:
        make_user = (
            "INSERT INTO users (username, email, password_hash) VALUES ($1, $2, $3) RETURNING id"
        )
        hash_ = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"
        big = await conn.fetchval(make_user, "big_user", "big@example.com", hash_)
        other = await conn.fetchval(make_user, "other_user", "other@example.com", hash_)
        small = await conn.fetchval(make_user, "small_user", "small@example.com", hash_)
        library = Library(url, big, small)
        rng = random.Random(11)
        index = 0
        # The big user holds under half the chunks, as on a server with several users.
        for owner, videos in ((big, VIDEOS), (other, VIDEOS + 4), (small, 4)):
            channels = [
                await conn.fetchval(
                    "INSERT INTO channels (user_id, youtube_channel_id, name)"
                    " VALUES ($1, $2, 'c') RETURNING id",
                    owner,
                    f"UC{uuid.uuid4().hex[:22]}",
                )
                for _ in range(4)
            ]
            for v in range(videos):
                video = await conn.fetchval(
                    "INSERT INTO videos (user_id, channel_id, youtube_video_id)"
                    " VALUES ($1, $2, $3) RETURNING id",
                    owner,
                    channels[v % 4],
                    f"{uuid.uuid4().hex[:11]}",
                )
                transcript = await conn.fetchval(
                    "INSERT INTO transcripts (user_id, video_id, source, transcript_text)"
                    " VALUES ($1, $2, 'upload', 'x') RETURNING id",
                    owner,
                    video,
                )
                rows = []
                for i in range(CHUNKS_PER_VIDEO):
                    rows.append(
                        (owner, transcript, i, _text(rng, index), 30, {"speaker": f"s{i % 5}"})
                    )
                    index += 1
                await conn.copy_records_to_table(
                    "chunks",
                    records=rows,
                    columns=["user_id", "transcript_id", "chunk_index", "chunk_text",
                             "token_count", "metadata"],
                )  # fmt: skip
                if owner == big:
                    library.videos.append(video)
            if owner == big:
                library.channels = channels
        # Enough videos and jobs that reading all of them costs more than an index.
        await conn.execute(
            "INSERT INTO videos (user_id, youtube_video_id, status)"
            " SELECT u, left(md5(u::text || n), 11),"
            "        CASE WHEN n % 50 = 0 THEN 'queued' ELSE 'discovered' END"
            " FROM generate_series(1, 4000) AS n, unnest($1::uuid[]) AS u",
            [big, other],
        )
        await conn.execute(
            "INSERT INTO processing_jobs (user_id, job_type, status)"
            " SELECT u, 'noop', CASE WHEN n % 50 = 0 THEN 'queued' ELSE 'completed' END"
            " FROM generate_series(1, 4000) AS n, unnest($1::uuid[]) AS u",
            [big, other],
        )
        # ... and other users with jobs of their own, so that no user is most of them.
        await conn.execute(
            "WITH made AS (INSERT INTO users (username, email, password_hash)"
            "  SELECT 'jobs_' || n, 'jobs_' || n || '@example.com', $1"
            "  FROM generate_series(1, 10) AS n RETURNING id)"
            " INSERT INTO processing_jobs (user_id, job_type) SELECT id, 'noop'"
            " FROM made, generate_series(1, 1000)",
            hash_,
        )
        chat = await conn.fetchval(
            "INSERT INTO conversations (user_id, title) VALUES ($1, 'long') RETURNING id", big
        )
        await conn.execute(
            "INSERT INTO messages (conversation_id, user_id, role, content, created_at)"
            " SELECT $1, $2, 'user', 'm' || n, now() + n * interval '1 ms'"
            " FROM generate_series(1, 5000) AS n",
            chat,
            big,
        )
        # Other conversations, written over the same time: walking all messages by
        # time would read theirs too.
        for _ in range(8):
            elsewhere = await conn.fetchval(
                "INSERT INTO conversations (user_id) VALUES ($1) RETURNING id", other
            )
            await conn.execute(
                "INSERT INTO messages (conversation_id, user_id, role, content, created_at)"
                " SELECT $1, $2, 'user', 'o' || n, now() + n * interval '1 ms'"
                " FROM generate_series(1, 5000) AS n",
                elsewhere,
                other,
            )
        library.conversation = chat
        deep = await conn.fetchrow(
            "SELECT created_at, id FROM messages WHERE conversation_id = $1"
            " ORDER BY created_at, id OFFSET 4900 LIMIT 1",
            chat,
        )
        library.deep_message = (deep["created_at"], deep["id"])
        # How a live table fills: messages of ten conversations arrive interleaved, so
        # the table is in time order, not conversation order; one conversation starts
        # late. Walking the created_at index from the start would read 15,000 rows of
        # the others before its first message.
        threads = [
            await conn.fetchval("INSERT INTO conversations (user_id) VALUES ($1) RETURNING id", big)
            for _ in range(10)
        ]
        await conn.execute(
            "INSERT INTO messages (conversation_id, user_id, role, content, created_at)"
            " SELECT CASE WHEN n > 15000 AND n % 10 = 0 THEN ($1::uuid[])[1]"
            "             ELSE ($1::uuid[])[2 + n % 9] END,"
            "        $2, 'user', 'i' || n, now() + interval '1 day' + n * interval '1 ms'"
            " FROM generate_series(1, 20000) AS n",
            threads,
            big,
        )
        library.late_conversation = threads[0]
        await conn.execute("VACUUM ANALYZE")
        return library
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def library_url(make_database: Callable[[], str]) -> Iterator[str]:
    url = make_database()
    migrations.apply(url)
    yield url


@pytest.fixture(scope="module")
async def library(library_url: str) -> Library:
    return await _seed(library_url)


@pytest.fixture
async def conn(library: Library) -> AsyncIterator[asyncpg.Connection]:
    connection = await connect(library.url)
    yield connection
    await connection.close()


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


# PostgreSQL's default (a generic plan once five runs say it is as good), and the
# generic plan itself, which any later run may get.
PLAN_MODES = ["auto", "force_generic_plan"]


async def _plan_after_ten(
    conn: asyncpg.Connection, name: str, args: list[Any], mode: str
) -> list[dict[str, Any]]:
    """The executed plan of the eleventh run of sql/<name>.sql as one prepared
    statement under plan_cache_mode `mode`; its arguments are bound as literals of
    the parameters' types."""
    await conn.execute(f"SET plan_cache_mode = {mode}")
    statement = await conn.prepare(sql(name))
    types = [t.name for t in statement.get_parameters()]  # an array's is _float4, say
    await conn.execute(f"PREPARE probe ({', '.join(types)}) AS {sql(name).rstrip().rstrip(';')}")
    literals = ", ".join(
        "NULL" if a is None else f"{_literal(a)}::{t}" for a, t in zip(args, types, strict=True)
    )
    try:
        for _ in range(10):
            await conn.execute(f"EXECUTE probe ({literals})")
        explained = await conn.fetchval(
            f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE probe ({literals})"
        )
    finally:
        await conn.execute("DEALLOCATE probe")
    document = msgspec.json.decode(explained)  # json comes as msgspec.Raw (service/db.py)
    return list(_nodes(document[0]["Plan"]))


def _literal(value: Any) -> str:
    text = json.dumps(value) if isinstance(value, dict) else str(value)
    return "'" + text.replace("'", "''") + "'"


def _chunk_access(nodes: list[dict[str, Any]]) -> set[tuple[str, str | None]]:
    """How the executed plan reads chunks: (node type, index) of each node on chunks
    that ran (a search plans a branch for common and one for rare terms)."""
    return {
        (n["Node Type"], n.get("Index Name"))
        for n in nodes
        if n.get("Actual Loops", 0) > 0
        and (n.get("Relation Name") == "chunks" or "chunk" in (n.get("Index Name") or ""))
    }


def _search_args(library: Library, word: str, **filters: Any) -> list[Any]:
    metadata = filters.get("metadata")
    return [library.big, word, metadata, 10_000, None, None, 51, 0]


def _scoped_args(library: Library, word: str, **filters: Any) -> list[Any]:
    return [
        library.big, word, filters.get("video_id"), filters.get("channel_id"),
        filters.get("metadata"), 10_000, None, None, 51, 0,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("word", "metadata", "index"),
    [
        (RARE, None, "idx_chunks_search_vector"),
        (MEDIUM, None, "idx_chunks_search_vector"),
        (COMMON, None, "uq_chunks_transcript_chunk_index"),
        (RARE, {"speaker": "s1"}, "idx_chunks_search_vector"),
        (COMMON, {"speaker": "s1"}, "uq_chunks_transcript_chunk_index"),
    ],
)
@pytest.mark.parametrize("mode", PLAN_MODES)
async def test_search_keeps_its_index_plan(
    conn: asyncpg.Connection, library: Library, word: str, metadata: Any, index: str, mode: str
) -> None:
    args = _search_args(library, word, metadata=metadata)
    nodes = await _plan_after_ten(conn, "chunks/search", args, mode)
    access = _chunk_access(nodes)
    assert ("Seq Scan", None) not in access, access
    assert any(found == index for _, found in access), access
    if word == COMMON:  # a common word never reads its whole posting list
        assert all(found != "idx_chunks_search_vector" for _, found in access), access


@pytest.mark.parametrize("word", [RARE, MEDIUM, COMMON])
@pytest.mark.parametrize("mode", PLAN_MODES)
async def test_the_lexical_leg_of_retrieval_keeps_the_text_index(
    conn: asyncpg.Connection, library: Library, word: str, mode: str
) -> None:
    # POST /search in lexical mode: no embedding, so the semantic leg never runs.
    args = [library.big, None, None, word, 100, 100, 10_000, 60]
    args += [None, None, None, None, None, 11, 0, 25_000]
    access = _chunk_access(await _plan_after_ten(conn, "retrieval/search", args, mode))
    assert ("Seq Scan", None) not in access, access
    assert any(found == "idx_chunks_search_vector" for _, found in access), access
    # a filter that is not there never reads another index's whole posting list
    assert all(found != "idx_chunks_metadata" for _, found in access), access


@pytest.mark.parametrize(
    ("word", "scope", "index"),
    [
        (RARE, "video_id", "idx_chunks_search_vector"),
        (COMMON, "video_id", "uq_chunks_transcript_chunk_index"),
        (RARE, "channel_id", "idx_chunks_search_vector"),
        (MEDIUM, "channel_id", "idx_chunks_search_vector"),
        (COMMON, "channel_id", "uq_chunks_transcript_chunk_index"),
    ],
)
@pytest.mark.parametrize("mode", PLAN_MODES)
async def test_scoped_search_keeps_its_index_plan(
    conn: asyncpg.Connection, library: Library, word: str, scope: str, index: str, mode: str
) -> None:
    value = library.videos[5] if scope == "video_id" else library.channels[1]
    args = _scoped_args(library, word, **{scope: value})
    nodes = await _plan_after_ten(conn, "chunks/search_scoped", args, mode)
    access = _chunk_access(nodes)
    assert ("Seq Scan", None) not in access, access
    assert any(found == index for _, found in access), access
    if word == COMMON:
        assert all(found != "idx_chunks_search_vector" for _, found in access), access


@pytest.mark.parametrize("mode", PLAN_MODES)
@pytest.mark.parametrize(
    ("name", "args", "table", "index"),
    [
        (
            "videos/list_by_user",
            lambda lib: [lib.big, "queued", None, None, None, TOTAL_CAP, None, None, 51, 0],
            "videos",
            None,
        ),
        (
            "videos/list_by_user",
            lambda lib: [lib.big, None, lib.channels[0], None, None, TOTAL_CAP, None, None, 51, 0],
            "videos",
            None,
        ),
        (
            "messages/list_by_conversation",
            lambda lib: [lib.conversation, lib.big, None, None, 51, 0],
            "messages",
            "idx_messages_conversation_id",
        ),
        (  # deep: the cursor is the index's lower bound, not a filter
            "messages/list_by_conversation",
            lambda lib: [
                lib.conversation,
                lib.big,
                lib.deep_message[0],
                lib.deep_message[1],
                51,
                0,
            ],
            "messages",
            "idx_messages_conversation_id",
        ),
        (  # messages interleaved with other conversations', and a late start
            "messages/list_by_conversation",
            lambda lib: [lib.late_conversation, lib.big, None, None, 51, 0],
            "messages",
            "idx_messages_conversation_id",
        ),
        (
            "messages/list_last_n",
            lambda lib: [lib.late_conversation, lib.big, 51],
            "messages",
            "idx_messages_conversation_id",
        ),
        (
            "messages/list_last_n",
            lambda lib: [lib.conversation, lib.big, 51],
            "messages",
            "idx_messages_conversation_id",
        ),
        (
            "processing_jobs/list_by_user",
            lambda lib: [lib.big, "queued", None, None, TOTAL_CAP, None, None, 51, 0],
            "processing_jobs",
            None,
        ),
    ],
)
async def test_filtered_lists_keep_an_index_plan(
    conn: asyncpg.Connection,
    library: Library,
    name: str,
    args: Callable[[Library], list[Any]],
    table: str,
    index: str | None,
    mode: str,
) -> None:
    nodes = await _plan_after_ten(conn, name, args(library), mode)
    scans = [n for n in nodes if n.get("Relation Name") == table and n.get("Actual Loops", 0) > 0]
    assert scans, f"{name} never reads {table}"
    assert all(n["Node Type"] != "Seq Scan" for n in scans), scans
    if "messages" in name:  # the cursor bounds the index scan: nothing read to skip
        assert all(n.get("Rows Removed by Filter", 0) < 100 for n in scans), scans
    if index is not None:
        assert any(n.get("Index Name") == index for n in scans), scans


async def _full_ranking(conn: asyncpg.Connection, user: uuid.UUID, word: str) -> list[uuid.UUID]:
    rows = await conn.fetch(
        "SELECT id FROM chunks WHERE user_id = $1"
        " AND search_vector @@ websearch_to_tsquery('english', $2)"
        " ORDER BY ts_rank_cd(search_vector, websearch_to_tsquery('english', $2), 32)::float8"
        " DESC, id"
        " LIMIT 50",
        user,
        word,
    )
    return [r["id"] for r in rows]


@pytest.mark.parametrize("word", [RARE, MEDIUM, f"{MEDIUM} or {RARE}"])
async def test_top_50_of_rare_and_medium_terms_is_the_full_ranking(
    conn: asyncpg.Connection, library: Library, word: str
) -> None:
    found = await chunks.search(conn, user_id=library.big, query=word, candidates=10_000, limit=50)
    assert found.exact
    assert [h.chunk_id for h in found.items] == await _full_ranking(conn, library.big, word)
    matches = await conn.fetchval(
        "SELECT count(*) FROM chunks WHERE user_id = $1"
        " AND search_vector @@ websearch_to_tsquery('english', $2)",
        library.big,
        word,
    )
    assert found.total == matches


async def test_a_common_term_ranks_a_bounded_number_of_matches(
    conn: asyncpg.Connection, library: Library
) -> None:
    found = await chunks.search(conn, user_id=library.big, query=COMMON, candidates=500, limit=50)
    assert not found.exact
    assert 0 < found.total <= 501
    ranks = [h.rank for h in found.items]
    assert ranks == sorted(ranks, reverse=True)
    matches = await conn.fetchval(
        "SELECT count(*) FROM chunks WHERE user_id = $1 AND search_vector @@ $2::tsquery",
        library.big,
        COMMON,
    )
    assert matches > 501  # the bound did cut: the full match would rank thousands


async def test_search_cursor_pages_are_the_ranking_in_order(
    conn: asyncpg.Connection, library: Library
) -> None:
    whole = await chunks.search(
        conn, user_id=library.big, query=MEDIUM, candidates=10_000, limit=500
    )
    pages, after = [], None
    while True:
        page = await chunks.search(
            conn, user_id=library.big, query=MEDIUM, candidates=10_000, after=after, limit=40
        )
        pages.extend(h.chunk_id for h in page.items)
        if len(page.items) < 40:
            break
        after = (page.items[-1].rank, page.items[-1].chunk_id)
    assert pages == [h.chunk_id for h in whole.items]
    assert len(pages) == whole.total


async def test_a_deep_message_cursor_page_is_the_offset_page(
    conn: asyncpg.Connection, library: Library
) -> None:
    assert library.conversation is not None
    by_offset = await messages.list_by_conversation(
        conn, conversation_id=library.conversation, user_id=library.big, limit=50, offset=4_900
    )
    assert by_offset is not None
    before = await messages.list_by_conversation(
        conn, conversation_id=library.conversation, user_id=library.big, limit=1, offset=4_899
    )
    assert before is not None
    last = before.items[0]
    by_cursor = await messages.list_by_conversation(
        conn,
        conversation_id=library.conversation,
        user_id=library.big,
        after=(last.created_at, last.id),
        limit=50,
    )
    assert by_cursor is not None
    assert [m.id for m in by_cursor.items] == [m.id for m in by_offset.items]
    assert by_cursor.total == by_offset.total == 5_000


async def test_the_second_user_finds_only_their_own_chunks(
    conn: asyncpg.Connection, library: Library
) -> None:
    for word in (RARE, COMMON, MEDIUM):
        found = await chunks.search(
            conn, user_id=library.small, query=word, candidates=10_000, limit=500
        )
        owners = await conn.fetch(
            "SELECT DISTINCT user_id FROM chunks WHERE id = ANY($1::uuid[])",
            [h.chunk_id for h in found.items],
        )
        assert {r["user_id"] for r in owners} <= {library.small}
    scoped = await chunks.search_scoped(
        conn,
        user_id=library.small,
        query=COMMON,
        video_id=library.videos[0],
        candidates=10_000,
        limit=50,
    )
    assert scoped.items == [] and scoped.total == 0
