"""`tubebase db generate`: the generated query layer is what the SQL says, rows map
to Structs by name, and stale code is caught."""

import shutil
import types
import typing
from collections.abc import Callable
from pathlib import Path

import asyncpg
import msgspec
import psycopg
import pytest

from service import db as service_db
from service.cli import main
from service.queries import users, videos
from service.queries.videos import VideoDetails
from service.tooling import migrations
from service.tooling.generate import GENERATED_DIR, HeaderError, generate, header, stale
from service.tooling.resources import SQL_DIR
from tests.sql.conftest import PASSWORD_HASH

VIDEO_COLUMNS = (
    "id, user_id, channel_id, youtube_video_id, title, channel_name, duration_seconds, "
    "upload_date, description, tags, is_favorite, status, file_size_bytes, error_message, "
    "created_at, updated_at"
)
SWAPPED = VIDEO_COLUMNS.replace("title, channel_name", "channel_name, title")


@pytest.fixture(scope="module")
def migrated(make_database: Callable[[], str]) -> str:
    url = make_database()
    migrations.apply(url)
    return url


@pytest.fixture
def sql_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "sql"
    shutil.copytree(SQL_DIR, copy)
    return copy


def test_the_generated_code_is_up_to_date(
    migrated: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An SQL edit without `tubebase db generate` fails here, and so in CI."""
    monkeypatch.setenv("DATABASE_URL", migrated)
    assert main(["db", "generate", "--check"]) == 0, capsys.readouterr().err
    assert stale(generate(migrated)) == []


def test_listing_the_row_in_any_order_is_mapped_by_name(migrated: str, sql_copy: Path) -> None:
    """`SELECT *` and the columns listed in the table's order generate the same code."""
    query = sql_copy / "videos" / "get_by_id.sql"
    query.write_text(query.read_text().replace("SELECT *", f"SELECT {VIDEO_COLUMNS}"))

    assert stale(generate(migrated, sql_copy)) == []


def test_swapping_two_columns_makes_the_code_stale_and_maps_them_by_name(
    migrated: str, sql_copy: Path
) -> None:
    query = sql_copy / "videos" / "get_by_id.sql"
    assert "SELECT *\n" in query.read_text()
    query.write_text(query.read_text().replace("SELECT *", f"SELECT {SWAPPED}"))

    rendered = generate(migrated, sql_copy)

    assert stale(rendered) == [GENERATED_DIR / "videos.py"]
    code = rendered[GENERATED_DIR / "videos.py"]
    # title (field 5) now reads column 6, channel_name (field 6) column 5
    assert "Video(row[0], row[1], row[2], row[3], row[5], row[4], row[6]" in code


async def test_swapped_columns_still_land_in_the_right_fields(
    migrated: str, sql_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = sql_copy / "videos" / "get_by_id.sql"
    swapped_sql = query.read_text().replace("SELECT *", f"SELECT {SWAPPED}")
    query.write_text(swapped_sql)
    code = generate(migrated, sql_copy)[GENERATED_DIR / "videos.py"]
    monkeypatch.setitem(service_db.QUERIES, "videos/get_by_id", swapped_sql)
    module = types.ModuleType("swapped_videos")
    exec(compile(code, "swapped_videos.py", "exec"), module.__dict__)  # noqa: S102

    conn = await service_db.connect(migrated)
    try:
        tx = conn.transaction()
        await tx.start()
        user = await users.create(
            conn, username="gen", email="gen@example.com", password_hash=PASSWORD_HASH
        )
        made = await videos.create(
            conn,
            user_id=user.id,
            youtube_video_id="generated01",
            fields=VideoDetails(title="The title", channel_name="The channel"),
        )
        found = await module.get_by_id(conn, video_id=made.id, user_id=user.id)
        await tx.rollback()
    finally:
        await conn.close()

    assert (found.title, found.channel_name) == ("The title", "The channel")


def test_a_header_naming_too_few_parameters_is_refused(migrated: str, sql_copy: Path) -> None:
    query = sql_copy / "videos" / "get_by_id.sql"
    query.write_text(query.read_text().replace("-- params: video_id, user_id", "-- params: id"))

    with pytest.raises(HeaderError, match=r"sql/videos/get_by_id.sql: takes 2 parameters"):
        generate(migrated, sql_copy)


@pytest.mark.parametrize(
    "line",
    ["-- name: get_by_id :maybe", "-- name: get-by-id :opt", "-- name: get_by_id"],
)
def test_a_malformed_name_line_is_refused(line: str) -> None:
    with pytest.raises(HeaderError, match=r"sql/x\.sql"):
        header(f"{line}\nSELECT 1;\n", "sql/x.sql")


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("-- name: get_recent :many", r"get_recent is :many, but a get_\* query is :one or :opt"),
        ("-- name: list_by_id :opt", r"list_by_id is :opt, but a list_\* query is :many"),
        ("-- name: count_all :many", r"count_all is :many, but a count_\* query is :scalar"),
    ],
)
def test_a_name_whose_verb_contradicts_its_result_is_refused(line: str, rule: str) -> None:
    with pytest.raises(HeaderError, match=rule):
        header(f"{line}\nSELECT 1;\n", "sql/x.sql")


def test_every_query_name_follows_the_scheme() -> None:
    names = [header(path.read_text(), str(path)) for path in sorted(SQL_DIR.glob("*/*.sql"))]
    assert len([h for h in names if h is not None]) > 100  # header() raised on any breach


def test_a_file_without_a_header_is_left_to_hand_written_code() -> None:
    assert header("-- just a comment\nSELECT 1;\n", "sql/x.sql") is None


def test_expression_columns_are_optional_unless_declared_not_null(
    migrated: str, sql_copy: Path
) -> None:
    (sql_copy / "videos" / "newest_title.sql").write_text(
        "-- name: newest_title :opt\n-- params: user_id\n-- not null: n\n"
        "SELECT max(title) AS newest, count(*) AS n FROM videos WHERE user_id = $1;\n"
    )

    code = generate(migrated, sql_copy)[GENERATED_DIR / "videos.py"]

    assert "class NewestTitleRow(msgspec.Struct, frozen=True, gc=False):" in code
    assert "    newest: str | None\n    n: int\n" in code


async def test_the_generated_page_reads_an_empty_page_as_no_rows(
    migrated: str,
) -> None:
    conn: asyncpg.Connection = await service_db.connect(migrated)
    try:
        listing = await videos.list_by_user(
            conn, user_id=await conn.fetchval("SELECT gen_random_uuid()"), limit=10
        )
    finally:
        await conn.close()
    assert (listing.items, listing.total, listing.exact) == ([], 0, True)


def test_a_struct_borrowed_from_another_folder_is_the_same_class() -> None:
    from service.queries.generated import sessions as generated_sessions

    assert generated_sessions.User is users.User


def test_a_borrowed_struct_of_another_shape_is_refused(migrated: str, sql_copy: Path) -> None:
    query = sql_copy / "sessions" / "get_user_by_token.sql"
    query.write_text(query.read_text().replace("u.is_admin, ", ""))

    with pytest.raises(HeaderError, match=r"sql/sessions/get_user_by_token.sql: its User differs"):
        generate(migrated, sql_copy)


def test_a_query_the_schema_no_longer_fits_is_named(migrated: str, sql_copy: Path) -> None:
    query = sql_copy / "videos" / "get_by_id.sql"
    renamed = VIDEO_COLUMNS.replace("channel_name,", "channel_title,")
    query.write_text(query.read_text().replace("SELECT *", f"SELECT {renamed}"))

    with pytest.raises(HeaderError, match=r"sql/videos/get_by_id.sql: PostgreSQL refuses it"):
        generate(migrated, sql_copy)


def test_a_page_column_must_come_right_after_the_total(migrated: str, sql_copy: Path) -> None:
    query = sql_copy / "chunks" / "search.sql"
    query.write_text(
        query.read_text().replace("SELECT n.total, n.capped,", "SELECT n.capped, n.total,")
    )

    with pytest.raises(
        HeaderError, match=r"sql/chunks/search.sql: a :page query returns the total"
    ):
        generate(migrated, sql_copy)


def test_page_columns_belong_to_pages_only() -> None:
    with pytest.raises(HeaderError, match=r"`page:` columns belong to a :page query, not :many"):
        header("-- name: list_x :many\n-- page: capped\nSELECT 1;\n", "sql/x.sql")


async def test_a_search_page_says_whether_a_bound_cut_it(migrated: str) -> None:
    from service.queries.generated import chunks as generated_chunks

    conn = await service_db.connect(migrated)
    try:
        nobody = await conn.fetchval("SELECT gen_random_uuid()")
        page = await generated_chunks.search(
            conn, user_id=nobody, query="anything", candidates=10, limit=5, offset=0
        )
    finally:
        await conn.close()
    assert page == (0, [], False)


def test_a_columns_length_limit_comes_from_the_schema(
    make_database: Callable[[], str], sql_copy: Path
) -> None:
    """A varchar(n) column's limit is written into its table's module, so the input
    Structs that take it from there follow a migration that changes it."""
    assert (
        "ChannelName = Annotated[str, msgspec.Meta(max_length=255)]\n"
        in (GENERATED_DIR / "videos.py").read_text()
    )
    url = make_database()
    migrations.apply(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE conversations ALTER COLUMN title TYPE varchar(300)")
        conn.execute("ALTER TABLE videos ALTER COLUMN title TYPE varchar(80)")
    rendered = generate(url, sql_copy)
    conversations_module = rendered[GENERATED_DIR / "conversations.py"]
    assert "Title = Annotated[str, msgspec.Meta(max_length=300)]\n" in conversations_module
    assert (
        "Title = Annotated[str, msgspec.Meta(max_length=80)]\n"
        in rendered[GENERATED_DIR / "videos.py"]
    )


def test_input_structs_take_the_schemas_limits() -> None:
    """The bodies that write a varchar column carry its generated limit."""
    from service.api.conversations import ConversationIn
    from service.api.videos import VideoIn
    from service.queries.generated import conversations as conversation_columns
    from service.queries.generated import videos as video_columns

    def max_length(struct: type, field: str) -> int:
        prop = msgspec.json.schema(struct)["$defs"][struct.__name__]["properties"][field]
        lengths = [p["maxLength"] for p in prop.get("anyOf", [prop]) if "maxLength" in p]
        assert len(lengths) == 1, prop
        return int(lengths[0])

    limit = typing.get_args(video_columns.ChannelName)[1].max_length
    assert max_length(VideoIn, "channel_name") == limit == 255
    limit = typing.get_args(conversation_columns.Title)[1].max_length
    assert max_length(ConversationIn, "title") == limit == 500
    with pytest.raises(msgspec.ValidationError, match="length <= 500"):
        msgspec.convert({"title": "x" * 501}, ConversationIn)
